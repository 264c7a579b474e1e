package clerktest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

var ctx = context.Background()

// fixture is a server with one organization whose first member is an admin.
type fixture struct {
	srv    *clerktest.Server
	client *clerk.Client
	org    string
	admin  string
}

func newFixture(t *testing.T, opts ...clerk.Option) *fixture {
	t.Helper()
	srv := clerktest.NewServer()
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, org: srv.AddOrganization("Acme Corp")}
	f.client = srv.Client(append([]clerk.Option{clerk.WithRetryPolicy(clerk.RetryPolicy{})}, opts...)...)
	f.admin = srv.AddUser(clerktest.User{FirstName: "Ada", LastName: "Admin", EmailAddress: "ada@acme.test"})
	f.add(t, f.admin, clerktest.RoleAdmin)
	return f
}

func (f *fixture) add(t *testing.T, userID, role string) *clerk.OrganizationMembership {
	t.Helper()
	m, _, err := f.client.OrganizationMemberships.Create(ctx, f.org, clerk.CreateOrganizationMembershipParams{UserID: userID, Role: role})
	require.NoError(t, err)
	return m
}

func codeOf(t *testing.T, err error) (int, string) {
	t.Helper()
	var apiErr *clerk.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Len(t, apiErr.Errors, 1)
	require.NotEmpty(t, apiErr.TraceID)
	return apiErr.StatusCode, apiErr.Errors[0].Code
}

func TestCreatedMembershipsCarryRealisticFields(t *testing.T) {
	f := newFixture(t)
	jane := f.srv.AddUser(clerktest.User{FirstName: "Jane", LastName: "Doe", EmailAddress: "jane@acme.test", Username: "jane"})
	before := time.Now().UnixMilli()
	m := f.add(t, jane, clerktest.RoleMember)

	assert.Equal(t, "organization_membership", m.Object)
	assert.True(t, strings.HasPrefix(m.ID, "orgmem_"), m.ID)
	assert.Equal(t, "org:member", m.Role)
	assert.Equal(t, "Member", m.RoleName)
	assert.Equal(t, []string{"org:sys_memberships:read"}, m.Permissions)
	assert.JSONEq(t, `{}`, string(m.PublicMetadata))
	assert.GreaterOrEqual(t, m.CreatedAt, before)
	assert.Equal(t, m.CreatedAt, m.UpdatedAt)
	assert.Equal(t, f.org, m.Organization.ID)
	assert.Equal(t, "acme-corp", m.Organization.Slug)
	assert.Equal(t, 2, m.Organization.MembersCount)
	assert.Equal(t, jane, m.PublicUserData.UserID)
	assert.Equal(t, "Jane", *m.PublicUserData.FirstName)
	assert.Equal(t, "jane@acme.test", *m.PublicUserData.Identifier)
	assert.Equal(t, "jane", *m.PublicUserData.Username)
}

func TestCustomRolesCarryTheirPermissions(t *testing.T) {
	f := newFixture(t)
	f.srv.AddRole("org:billing", "Billing", "org:billing:read", "org:billing:manage")
	m := f.add(t, f.srv.AddUser(clerktest.User{}), "org:billing")
	assert.Equal(t, "Billing", m.RoleName)
	assert.Equal(t, []string{"org:billing:read", "org:billing:manage"}, m.Permissions)
}

func TestTheFakeAnswersWithClerksErrors(t *testing.T) {
	f := newFixture(t)
	s := f.client.OrganizationMemberships
	jane := f.srv.AddUser(clerktest.User{FirstName: "Jane"})
	f.add(t, jane, clerktest.RoleMember)
	full := f.srv.AddOrganization("Full")
	f.srv.SetMaxAllowedMemberships(full, 1)
	_, _, err := s.Create(ctx, full, clerk.CreateOrganizationMembershipParams{UserID: f.admin, Role: clerktest.RoleAdmin})
	require.NoError(t, err)

	tests := []struct {
		name   string
		call   func() error
		status int
		code   string
	}{
		{"an unknown organization is 404 resource_not_found", func() error {
			_, _, err := s.List(ctx, "org_nope", nil)
			return err
		}, 404, "resource_not_found"},
		{"an unknown user is 404 resource_not_found", func() error {
			_, _, err := s.Create(ctx, f.org, clerk.CreateOrganizationMembershipParams{UserID: "user_nope", Role: "org:member"})
			return err
		}, 404, "resource_not_found"},
		{"an unknown membership is 404 resource_not_found", func() error {
			_, _, err := s.Delete(ctx, full, jane)
			return err
		}, 404, "resource_not_found"},
		{"adding an existing member is 400 already_a_member_in_organization", func() error {
			_, _, err := s.Create(ctx, f.org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member"})
			return err
		}, 400, "already_a_member_in_organization"},
		{"an unknown role is 422 form_param_value_invalid", func() error {
			_, _, err := s.Update(ctx, f.org, jane, clerk.UpdateOrganizationMembershipParams{Role: "org:wizard"})
			return err
		}, 422, "form_param_value_invalid"},
		{"metadata over 8 KB is 422 form_param_exceeds_allowed_size", func() error {
			_, _, err := s.UpdateMetadata(ctx, f.org, jane, clerk.UpdateOrganizationMembershipMetadataParams{
				PublicMetadata: map[string]any{"blob": strings.Repeat("x", 8200)}})
			return err
		}, 422, "form_param_exceeds_allowed_size"},
		{"demoting the last admin is 400 organization_minimum_permissions_needed", func() error {
			_, _, err := s.Update(ctx, f.org, f.admin, clerk.UpdateOrganizationMembershipParams{Role: "org:member"})
			return err
		}, 400, "organization_minimum_permissions_needed"},
		{"removing the last admin is 400 organization_minimum_permissions_needed", func() error {
			_, _, err := s.Delete(ctx, f.org, f.admin)
			return err
		}, 400, "organization_minimum_permissions_needed"},
		{"exceeding the member quota is 403 organization_membership_quota_exceeded", func() error {
			_, _, err := s.Create(ctx, full, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member"})
			return err
		}, 403, "organization_membership_quota_exceeded"},
		{"a wrong secret key is 401 authentication_invalid", func() error {
			c, err := clerk.NewClient("sk_test_wrong", clerk.WithBaseURL(f.srv.URL))
			require.NoError(t, err)
			_, _, err = c.OrganizationMemberships.ListForInstance(ctx, nil)
			return err
		}, 401, "authentication_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code := codeOf(t, tt.call())
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.code, code)
		})
	}
}

// rawCall sends a request the SDK would refuse to send and decodes the error.
func rawCall(t *testing.T, srv *clerktest.Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, strings.TrimSuffix(srv.URL, "/")+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.SecretKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Errors []map[string]any `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(raw, &out), string(raw))
	require.Len(t, out.Errors, 1, string(raw))
	return resp.StatusCode, out.Errors[0]
}

func TestMalformedRequestsGetFormErrorsNamingTheParameter(t *testing.T) {
	f := newFixture(t)
	base := "/organizations/" + f.org + "/memberships"
	tests := []struct {
		name, method, path, body string
		status                   int
		code, param              string
	}{
		{"a missing role", "POST", base, `{"user_id":"` + f.admin + `"}`, 422, "form_param_missing", "role"},
		{"a missing user_id", "POST", base, `{"role":"org:member"}`, 422, "form_param_missing", "user_id"},
		{"an unknown field on create", "POST", base, `{"user_id":"u","role":"r","colour":"red"}`, 422, "form_param_unknown", "colour"},
		{"an unknown field on the metadata patch", "PATCH", base + "/" + f.admin + "/metadata", `{"unsafe_metadata":{}}`, 422, "form_param_unknown", "unsafe_metadata"},
		{"a limit of 501", "GET", base + "?limit=501", "", 422, "form_param_value_invalid", "limit"},
		{"a limit of 0", "GET", "/organization_memberships?limit=0", "", 422, "form_param_value_invalid", "limit"},
		{"a negative offset", "GET", base + "?offset=-1", "", 422, "form_param_value_invalid", "offset"},
		{"an unknown order_by field", "GET", base + "?order_by=-shoe_size", "", 422, "form_param_value_invalid", "order_by"},
		{"a malformed time filter", "GET", base + "?created_at_after=yesterday", "", 422, "form_param_format_invalid", "created_at_after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, e := rawCall(t, f.srv, tt.method, tt.path, tt.body)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.code, e["code"])
			assert.Equal(t, map[string]any{"param_name": tt.param}, e["meta"])
		})
	}
}

func TestListFiltersSelectExactlyTheMatchingMembers(t *testing.T) {
	f := newFixture(t)
	day := 24 * time.Hour
	users := map[string]string{"ada": f.admin}
	for _, u := range []struct {
		name string
		clerktest.User
	}{
		{"jane", clerktest.User{FirstName: "Jane", LastName: "Doe", EmailAddress: "jane@acme.test", Username: "jane", PhoneNumber: "+15550101", LastActiveAt: time.Now().Add(-day)}},
		{"john", clerktest.User{FirstName: "John", LastName: "Roe", EmailAddress: "JOHN@other.test", Username: "johnny", PhoneNumber: "+15550202", Web3Wallet: "0xjohn"}},
		{"kim", clerktest.User{FirstName: "Kim", LastName: "Doe", EmailAddress: "kim@acme.test", Username: "kim", PhoneNumber: "+44770000", LastActiveAt: time.Now().Add(-10 * day)}},
	} {
		name := u.name
		users[name] = f.srv.AddUser(u.User)
		role := clerktest.RoleMember
		if name == "kim" {
			role = clerktest.RoleAdmin
		}
		f.add(t, users[name], role)
	}
	names := func(p *clerk.ListOrganizationMembershipsParams) []string {
		page, _, err := f.client.OrganizationMemberships.List(ctx, f.org, p)
		require.NoError(t, err)
		var out []string
		for _, m := range page.Data {
			for n, id := range users {
				if id == m.PublicUserData.UserID {
					out = append(out, n)
				}
			}
		}
		return out
	}
	tests := []struct {
		name   string
		params clerk.ListOrganizationMembershipsParams
		want   []string
	}{
		{"no filter lists everyone, newest first", clerk.ListOrganizationMembershipsParams{}, nil},
		{"user_id includes", clerk.ListOrganizationMembershipsParams{UserIDs: []string{users["jane"], "+" + users["kim"]}, OrderBy: "+first_name"}, []string{"jane", "kim"}},
		{"user_id excludes with -", clerk.ListOrganizationMembershipsParams{UserIDs: []string{"-" + users["jane"]}, OrderBy: "first_name"}, []string{"ada", "john", "kim"}},
		{"email_address matches exactly", clerk.ListOrganizationMembershipsParams{EmailAddresses: []string{"jane@acme.test", "kim@acme.test"}, OrderBy: "+email_address"}, []string{"jane", "kim"}},
		{"phone_number matches exactly", clerk.ListOrganizationMembershipsParams{PhoneNumbers: []string{"+15550202"}}, []string{"john"}},
		{"username matches exactly", clerk.ListOrganizationMembershipsParams{Usernames: []string{"john"}}, nil},
		{"web3_wallet matches exactly", clerk.ListOrganizationMembershipsParams{Web3Wallets: []string{"0xjohn"}}, []string{"john"}},
		{"role matches", clerk.ListOrganizationMembershipsParams{Roles: []string{"org:admin"}, OrderBy: "+first_name"}, []string{"ada", "kim"}},
		{"query matches any attribute", clerk.ListOrganizationMembershipsParams{Query: "DOE", OrderBy: "-first_name"}, []string{"kim", "jane"}},
		{"email_address_query ignores case", clerk.ListOrganizationMembershipsParams{EmailAddressQuery: "john@"}, []string{"john"}},
		{"phone_number_query matches part", clerk.ListOrganizationMembershipsParams{PhoneNumberQuery: "555", OrderBy: "+phone_number"}, []string{"jane", "john"}},
		{"username_query matches part", clerk.ListOrganizationMembershipsParams{UsernameQuery: "JOHN"}, []string{"john"}},
		{"name_query matches first or last name", clerk.ListOrganizationMembershipsParams{NameQuery: "ro"}, []string{"john"}},
		{"last_active_at_after keeps recent activity", clerk.ListOrganizationMembershipsParams{LastActiveAtAfter: time.Now().Add(-2 * day)}, []string{"jane"}},
		{"last_active_at_before keeps old activity", clerk.ListOrganizationMembershipsParams{LastActiveAtBefore: time.Now().Add(-2 * day)}, []string{"kim"}},
		{"created_at_after in the future matches nobody", clerk.ListOrganizationMembershipsParams{CreatedAtAfter: time.Now().Add(day)}, nil},
		{"created_at_before now matches everybody", clerk.ListOrganizationMembershipsParams{CreatedAtBefore: time.Now().Add(time.Minute), OrderBy: "+created_at"}, []string{"ada", "jane", "john", "kim"}},
		{"filters combine", clerk.ListOrganizationMembershipsParams{Query: "acme", Roles: []string{"org:member"}}, []string{"jane"}},
		{"order_by -last_name sorts descending", clerk.ListOrganizationMembershipsParams{OrderBy: "-last_name", Roles: []string{"org:member"}}, []string{"john", "jane"}},
		{"order_by username sorts ascending", clerk.ListOrganizationMembershipsParams{OrderBy: "username", UserIDs: []string{"-" + f.admin}}, []string{"jane", "john", "kim"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.params
			got := names(&p)
			if tt.name == "no filter lists everyone, newest first" {
				assert.Len(t, got, 4)
				assert.Equal(t, "ada", got[3], "the default order is -created_at")
				return
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPagesHonourLimitOffsetAndTotalCount(t *testing.T) {
	f := newFixture(t)
	for range 24 {
		f.add(t, f.srv.AddUser(clerktest.User{}), clerktest.RoleMember)
	}
	page, _, err := f.client.OrganizationMemberships.List(ctx, f.org, nil)
	require.NoError(t, err)
	assert.Len(t, page.Data, 10, "the default limit is 10")
	assert.Equal(t, int64(25), page.TotalCount)

	page, _, err = f.client.OrganizationMemberships.List(ctx, f.org, &clerk.ListOrganizationMembershipsParams{Limit: 7, Offset: 21})
	require.NoError(t, err)
	assert.Len(t, page.Data, 4)
	assert.Equal(t, int64(25), page.TotalCount)

	page, _, err = f.client.OrganizationMemberships.List(ctx, f.org, &clerk.ListOrganizationMembershipsParams{Offset: 100})
	require.NoError(t, err)
	assert.Empty(t, page.Data)
}

func TestMetadataPatchDeepMergesAndDeletesNulls(t *testing.T) {
	f := newFixture(t)
	jane := f.srv.AddUser(clerktest.User{})
	s := f.client.OrganizationMemberships
	_, _, err := s.Create(ctx, f.org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member",
		PublicMetadata:  map[string]any{"a": map[string]any{"b": 1, "c": 2}, "d": 3, "big": json.Number("9007199254740993")},
		PrivateMetadata: map[string]any{"keep": true},
	})
	require.NoError(t, err)

	m, _, err := s.UpdateMetadata(ctx, f.org, jane, clerk.UpdateOrganizationMembershipMetadataParams{
		PublicMetadata: map[string]any{"a": map[string]any{"b": nil, "x": map[string]any{"deep": nil, "y": 1}}, "e": 4, "d": []int{1}},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":{"c":2,"x":{"y":1}},"d":[1],"e":4,"big":9007199254740993}`, string(m.PublicMetadata))
	assert.Contains(t, string(m.PublicMetadata), "9007199254740993", "numbers above 2^53 survive")
	assert.JSONEq(t, `{"keep":true}`, string(m.PrivateMetadata), "an absent map is left unchanged")

	m, _, err = s.UpdateMetadata(ctx, f.org, jane, clerk.UpdateOrganizationMembershipMetadataParams{
		PublicMetadata: map[string]any{"a": nil}, PrivateMetadata: map[string]any{"keep": nil},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"d":[1],"e":4,"big":9007199254740993}`, string(m.PublicMetadata))
	assert.JSONEq(t, `{}`, string(m.PrivateMetadata))
	assert.Greater(t, m.UpdatedAt, m.CreatedAt)
}

func TestFaultsReplaceTheNextMatchingAnswers(t *testing.T) {
	f := newFixture(t)
	listPath := "/v1/organizations/" + f.org + "/memberships"
	f.srv.InjectFault(clerktest.Fault{Method: "GET", Path: listPath, Times: 2, Status: 503, Header: http.Header{"Retry-After": {"0"}}})

	for i, want := range []int{503, 503, 200} {
		_, resp, _ := f.client.OrganizationMemberships.List(ctx, f.org, nil)
		assert.Equal(t, want, resp.StatusCode, "call %d", i+1)
	}
	_, resp, err := f.client.OrganizationMemberships.ListForInstance(ctx, nil)
	require.NoError(t, err, "another path is not affected")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 3, f.srv.CountRequests("GET", listPath))
}

func TestAFaultWithABodyAnswersWithThatBody(t *testing.T) {
	f := newFixture(t)
	f.srv.InjectFault(clerktest.Fault{Status: 502, Body: "<html>Bad Gateway</html>", Header: http.Header{"Content-Type": {"text/html"}}})
	_, resp, err := f.client.OrganizationMemberships.ListForInstance(ctx, nil)
	var apiErr *clerk.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 502, resp.StatusCode)
	assert.Empty(t, apiErr.Errors)
	assert.Equal(t, "text/html", resp.Header.Get("Content-Type"))
}

func TestADroppedConnectionIsATransportError(t *testing.T) {
	f := newFixture(t)
	f.srv.InjectFault(clerktest.Fault{DropConnection: true})
	// A POST, which net/http never replays by itself on a new connection.
	_, resp, err := f.client.OrganizationMemberships.Create(ctx, f.org, clerk.CreateOrganizationMembershipParams{UserID: f.admin, Role: "org:admin"})
	require.Error(t, err)
	assert.Nil(t, resp)
	reqs := f.srv.Requests()
	assert.Equal(t, 0, reqs[len(reqs)-1].Status)
}

func TestADelayedAnswerGivesUpWhenTheClientDoes(t *testing.T) {
	f := newFixture(t)
	f.srv.InjectFault(clerktest.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := f.client.OrganizationMemberships.ListForInstance(ctx, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestAFaultAfterApplyingActsButLosesTheAnswer(t *testing.T) {
	f := newFixture(t)
	jane := f.srv.AddUser(clerktest.User{})
	f.srv.InjectFault(clerktest.Fault{Method: "POST", Status: 503, AfterApplying: true})
	_, _, err := f.client.OrganizationMemberships.Create(ctx, f.org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member"})
	assert.ErrorIs(t, err, clerk.ErrServer)
	page, _, err := f.client.OrganizationMemberships.List(ctx, f.org, &clerk.ListOrganizationMembershipsParams{UserIDs: []string{jane}})
	require.NoError(t, err)
	assert.Len(t, page.Data, 1, "the membership was created all the same")
}

func TestTheRateLimiterAnswers429WithRetryAfter(t *testing.T) {
	f := newFixture(t)
	f.srv.SetRateLimit(3, time.Hour)
	var statuses []int
	for range 5 {
		_, resp, _ := f.client.OrganizationMemberships.ListForInstance(ctx, nil)
		statuses = append(statuses, resp.StatusCode)
	}
	assert.Equal(t, []int{200, 200, 200, 429, 429}, statuses)
	_, resp, err := f.client.OrganizationMemberships.ListForInstance(ctx, nil)
	var apiErr *clerk.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, apiErr.HasCode("too_many_requests"))
	assert.Equal(t, "3600", resp.Header.Get("Retry-After"))
	assert.Equal(t, time.Hour, apiErr.RetryAfter)

	f.srv.SetRateLimit(0, 0)
	_, _, err = f.client.OrganizationMemberships.ListForInstance(ctx, nil)
	assert.NoError(t, err, "limiting can be switched off")
}

func TestRequestsAreRecordedWithWhatWasSent(t *testing.T) {
	f := newFixture(t)
	_, _, err := f.client.OrganizationMemberships.List(ctx, f.org, &clerk.ListOrganizationMembershipsParams{Roles: []string{"org:admin"}})
	require.NoError(t, err)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 2, "the fixture's create, then the list")
	assert.Equal(t, "POST", reqs[0].Method)
	assert.JSONEq(t, `{"user_id":"`+f.admin+`","role":"org:admin"}`, string(reqs[0].Body))
	assert.Equal(t, "GET", reqs[1].Method)
	assert.Equal(t, "/v1/organizations/"+f.org+"/memberships", reqs[1].Path)
	assert.Equal(t, []string{"org:admin"}, reqs[1].Query["role"])
	assert.Equal(t, 200, reqs[1].Status)
}

func TestEscapedIDsReachTheFakeAsLiteralIDs(t *testing.T) {
	f := newFixture(t)
	_, _, err := f.client.OrganizationMemberships.Delete(ctx, f.org+"/../x", f.admin)
	status, code := codeOf(t, err)
	assert.Equal(t, 404, status)
	assert.Equal(t, "resource_not_found", code)
	reqs := f.srv.Requests()
	assert.Equal(t, "/v1/organizations/"+f.org+"%2F..%2Fx/memberships/"+f.admin, reqs[len(reqs)-1].Path)
}

func TestARateLimitedRequestDoesNotUseUpAFault(t *testing.T) {
	f := newFixture(t)
	f.srv.SetRateLimit(1, time.Hour)
	f.srv.InjectFault(clerktest.Fault{Status: 503})
	_, resp, _ := f.client.OrganizationMemberships.ListForInstance(ctx, nil)
	assert.Equal(t, 503, resp.StatusCode, "the first request is within the limit and gets the fault")
	f.srv.InjectFault(clerktest.Fault{Status: 502})
	_, resp, _ = f.client.OrganizationMemberships.ListForInstance(ctx, nil)
	assert.Equal(t, 429, resp.StatusCode)
	f.srv.SetRateLimit(0, 0)
	_, resp, _ = f.client.OrganizationMemberships.ListForInstance(ctx, nil)
	assert.Equal(t, 502, resp.StatusCode, "the fault is still there for the next request")
}

func TestAddMembershipSeedsWithoutHTTPAndRefusesMistakes(t *testing.T) {
	f := newFixture(t)
	jane := f.srv.AddUser(clerktest.User{FirstName: "Jane"})
	id := f.srv.AddMembership(f.org, jane, clerktest.RoleMember)
	assert.True(t, strings.HasPrefix(id, "orgmem_"))
	assert.Equal(t, 1, len(f.srv.Requests()), "only the fixture's own create went over HTTP")

	page, _, err := f.client.OrganizationMemberships.List(ctx, f.org, &clerk.ListOrganizationMembershipsParams{UserIDs: []string{jane}})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	assert.Equal(t, id, page.Data[0].ID)

	assert.PanicsWithValue(t, "clerktest: "+jane+" is already a member of "+f.org, func() { f.srv.AddMembership(f.org, jane, clerktest.RoleMember) })
	assert.PanicsWithValue(t, "clerktest: no role org:nope", func() { f.srv.AddMembership(f.org, f.srv.AddUser(clerktest.User{}), "org:nope") })
	assert.PanicsWithValue(t, "clerktest: no organization org_x", func() { f.srv.AddMembership("org_x", jane, clerktest.RoleMember) })
	assert.PanicsWithValue(t, "clerktest: no user user_x", func() { f.srv.AddMembership(f.org, "user_x", clerktest.RoleMember) })
}
