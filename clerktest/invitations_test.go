package clerktest_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/webhooks"
)

func (f *fixture) invite(t *testing.T, email, role string) *clerk.OrganizationInvitation {
	t.Helper()
	inv, _, err := f.client.OrganizationInvitations.Create(ctx, f.org, clerk.CreateOrganizationInvitationParams{EmailAddress: email, Role: role})
	require.NoError(t, err)
	return inv
}

// rawCode sends a request the SDK would refuse to send and returns the
// status and the error code of the answer.
func rawCode(t *testing.T, srv *clerktest.Server, method, path, body string) (int, string) {
	t.Helper()
	status, e := rawCall(t, srv, method, path, body)
	code, _ := e["code"].(string)
	return status, code
}

func TestCreatedInvitationsCarryClerksFields(t *testing.T) {
	f := newFixture(t)
	before := time.Now().UnixMilli()
	notify := false
	inv, resp, err := f.client.OrganizationInvitations.Create(ctx, f.org, clerk.CreateOrganizationInvitationParams{
		EmailAddress: "Jane@Acme.test", Role: clerktest.RoleMember, InviterUserID: f.admin,
		PublicMetadata: map[string]any{"team": "blue"}, PrivateMetadata: map[string]any{"seat": 7},
		RedirectURL: "https://app.acme.test/welcome", ExpiresInDays: 7, Notify: &notify,
	})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "organization_invitation", inv.Object)
	assert.Regexp(t, `^orginv_[0-9A-Za-z]{27}$`, inv.ID)
	assert.Equal(t, "Jane@Acme.test", inv.EmailAddress)
	assert.Equal(t, "org:member", inv.Role)
	assert.Equal(t, "Member", inv.RoleName)
	assert.Equal(t, f.org, inv.OrganizationID)
	assert.Equal(t, "pending", inv.Status)
	assert.JSONEq(t, `{"team":"blue"}`, string(inv.PublicMetadata))
	assert.JSONEq(t, `{"seat":7}`, string(inv.PrivateMetadata))
	require.NotNil(t, inv.InviterID)
	assert.Equal(t, f.admin, *inv.InviterID)
	require.NotNil(t, inv.PublicInviterData)
	assert.Equal(t, f.admin, inv.PublicInviterData.UserID)
	assert.Equal(t, "Ada", *inv.PublicInviterData.FirstName)
	assert.Equal(t, "ada@acme.test", inv.PublicInviterData.Identifier)
	require.NotNil(t, inv.URL)
	assert.Contains(t, *inv.URL, "redirect_url=https%3A%2F%2Fapp.acme.test%2Fwelcome")
	assert.GreaterOrEqual(t, inv.CreatedAt, before)
	assert.Equal(t, inv.CreatedAt, inv.UpdatedAt)
	require.NotNil(t, inv.ExpiresAt)
	assert.Equal(t, inv.CreatedAt+7*24*3600*1000, *inv.ExpiresAt)
	assert.Nil(t, inv.PublicOrganizationData, "only the instance and per-user lists carry the organization")

	t.Run("without an inviter or expiry the Backend API invites for 30 days", func(t *testing.T) {
		inv := f.invite(t, "max@acme.test", clerktest.RoleAdmin)
		assert.Nil(t, inv.InviterID)
		assert.Nil(t, inv.PublicInviterData)
		assert.Equal(t, inv.CreatedAt+30*24*3600*1000, *inv.ExpiresAt)
		assert.JSONEq(t, `{}`, string(inv.PublicMetadata))
		assert.Equal(t, "Admin", inv.RoleName)
	})
	t.Run("Get returns the invitation as Create did", func(t *testing.T) {
		got, _, err := f.client.OrganizationInvitations.Get(ctx, f.org, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, inv, got)
	})
}

func TestInvitationsAreRefusedAsClerkRefusesThem(t *testing.T) {
	f := newFixture(t)
	member := f.srv.AddUser(clerktest.User{FirstName: "Max", EmailAddress: "max@acme.test"})
	f.add(t, member, clerktest.RoleMember)
	other := f.srv.AddOrganization("Other")
	create := func(orgID string, p clerk.CreateOrganizationInvitationParams) error {
		_, _, err := f.client.OrganizationInvitations.Create(ctx, orgID, p)
		return err
	}
	f.invite(t, "pending@acme.test", clerktest.RoleMember)
	tests := []struct {
		name       string
		orgID      string
		params     clerk.CreateOrganizationInvitationParams
		wantStatus int
		wantCode   string
	}{
		{"an invitation to a member, matched ignoring case", f.org, clerk.CreateOrganizationInvitationParams{EmailAddress: "MAX@acme.test", Role: "org:member"},
			400, "already_a_member_in_organization"},
		{"an invalid email address the SDK lets through", f.org, clerk.CreateOrganizationInvitationParams{EmailAddress: "jane@localhost", Role: "org:member"},
			422, "form_param_format_invalid"},
		{"an unknown role", f.org, clerk.CreateOrganizationInvitationParams{EmailAddress: "jane@acme.test", Role: "org:nope"},
			422, "form_param_value_invalid"},
		{"a second pending invitation for the same address, in another case", f.org, clerk.CreateOrganizationInvitationParams{EmailAddress: "Pending@Acme.test", Role: "org:admin"},
			400, "duplicate_record"},
		{"an unknown organization", "org_missing", clerk.CreateOrganizationInvitationParams{EmailAddress: "jane@acme.test", Role: "org:member"},
			404, "resource_not_found"},
		{"an unknown inviter", f.org, clerk.CreateOrganizationInvitationParams{EmailAddress: "jane@acme.test", Role: "org:member", InviterUserID: "user_missing"},
			404, "resource_not_found"},
		{"an inviter who is not an admin", f.org, clerk.CreateOrganizationInvitationParams{EmailAddress: "jane@acme.test", Role: "org:member", InviterUserID: member},
			403, "not_an_admin_in_organization"},
		{"an inviter who is an admin elsewhere only", other, clerk.CreateOrganizationInvitationParams{EmailAddress: "jane@acme.test", Role: "org:member", InviterUserID: f.admin},
			403, "not_an_admin_in_organization"},
		{"metadata over 8 KB", f.org, clerk.CreateOrganizationInvitationParams{EmailAddress: "jane@acme.test", Role: "org:member",
			PublicMetadata: map[string]any{"blob": strings.Repeat("x", 9000)}}, 422, "form_param_exceeds_allowed_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code := codeOf(t, create(tt.orgID, tt.params))
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, tt.wantCode, code)
		})
	}
	t.Run("none of the refusals made an invitation", func(t *testing.T) {
		page, _, err := f.client.OrganizationInvitations.ListForInstance(ctx, nil)
		require.NoError(t, err)
		assert.EqualValues(t, 1, page.TotalCount)
	})
	t.Run("the same address may be invited to another organization", func(t *testing.T) {
		require.NoError(t, create(other, clerk.CreateOrganizationInvitationParams{EmailAddress: "pending@acme.test", Role: "org:member"}))
	})

	path := "/organizations/" + f.org + "/invitations"
	raw := []struct {
		name, method, path, body string
		wantStatus               int
		wantCode                 string
	}{
		{"a missing email address", "POST", path, `{"role":"org:member"}`, 422, "form_param_missing"},
		{"a missing role", "POST", path, `{"email_address":"jane@acme.test"}`, 422, "form_param_missing"},
		{"an unknown field", "POST", path, `{"email_address":"jane@acme.test","role":"org:member","colour":"red"}`, 422, "form_param_unknown"},
		{"expires_in_days of 0", "POST", path, `{"email_address":"jane@acme.test","role":"org:member","expires_in_days":0}`, 422, "form_param_value_invalid"},
		{"expires_in_days of 366", "POST", path, `{"email_address":"jane@acme.test","role":"org:member","expires_in_days":366}`, 422, "form_param_value_invalid"},
		{"a notify that is not a boolean", "POST", path, `{"email_address":"jane@acme.test","role":"org:member","notify":"yes"}`, 422, "form_param_value_invalid"},
		{"a bulk of none", "POST", path + "/bulk", `[]`, 422, "form_param_value_invalid"},
		{"a bulk of eleven", "POST", path + "/bulk", "[" + strings.Repeat(`{"email_address":"a@b.co","role":"org:member"},`, 10) + `{"email_address":"a@b.co","role":"org:member"}]`, 422, "form_param_value_invalid"},
		{"a bulk that is an object", "POST", path + "/bulk", `{"email_address":"a@b.co","role":"org:member"}`, 400, "request_body_invalid"},
		{"a bulk with a null item", "POST", path + "/bulk", `[null]`, 400, "request_body_invalid"},
		{"a bad status filter", "GET", path + "?status=lost", "", 422, "form_param_value_invalid"},
		{"a bad order", "GET", path + "?order_by=role", "", 422, "form_param_value_invalid"},
		{"a limit above 500", "GET", path + "?limit=501", "", 422, "form_param_value_invalid"},
	}
	for _, tt := range raw {
		t.Run(tt.name, func(t *testing.T) {
			status, code := rawCode(t, f.srv, tt.method, tt.path, tt.body)
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, tt.wantCode, code)
		})
	}
}

func TestABulkCreatesEveryInvitationOrNone(t *testing.T) {
	f := newFixture(t)
	bulk := func(emails ...string) (*clerk.OrganizationInvitations, error) {
		ps := make([]clerk.CreateOrganizationInvitationParams, len(emails))
		for i, e := range emails {
			ps[i] = clerk.CreateOrganizationInvitationParams{EmailAddress: e, Role: clerktest.RoleMember, PublicMetadata: map[string]any{"n": i}}
		}
		page, _, err := f.client.OrganizationInvitations.CreateBulk(ctx, f.org, ps)
		return page, err
	}
	page, err := bulk("a@acme.test", "b@acme.test", "c@acme.test")
	require.NoError(t, err)
	require.Len(t, page.Data, 3)
	assert.EqualValues(t, 3, page.TotalCount)
	for i, want := range []string{"a@acme.test", "b@acme.test", "c@acme.test"} {
		assert.Equal(t, want, page.Data[i].EmailAddress, "in the order given")
		assert.JSONEq(t, `{"n":`+strconv.Itoa(i)+`}`, string(page.Data[i].PublicMetadata))
		assert.Equal(t, "pending", page.Data[i].Status)
	}
	assert.Less(t, page.Data[0].CreatedAt, page.Data[1].CreatedAt)

	for name, emails := range map[string][]string{
		"one already pending":       {"d@acme.test", "B@acme.test"},
		"one address twice":         {"e@acme.test", "E@ACME.test"},
		"one address of a member":   {"f@acme.test", "ada@acme.test"},
		"one address Clerk refuses": {"g@acme.test", "g@nowhere"},
	} {
		t.Run("nothing is created when "+name, func(t *testing.T) {
			_, err := bulk(emails...)
			require.Error(t, err)
			got, _, err := f.client.OrganizationInvitations.List(ctx, f.org, nil)
			require.NoError(t, err)
			assert.EqualValues(t, 3, got.TotalCount)
		})
	}
	t.Run("a bulk that would pass the membership quota is refused", func(t *testing.T) {
		f.srv.SetMaxAllowedMemberships(f.org, 5) // 1 member and 3 pending invitations
		_, err := bulk("h@acme.test", "i@acme.test")
		status, code := codeOf(t, err)
		assert.Equal(t, 403, status)
		assert.Equal(t, "organization_membership_quota_exceeded", code)
		_, err = bulk("h@acme.test")
		require.NoError(t, err)
		_, _, err = f.client.OrganizationMemberships.Create(ctx, f.org, clerk.CreateOrganizationMembershipParams{
			UserID: f.srv.AddUser(clerktest.User{}), Role: clerktest.RoleMember})
		status, code = codeOf(t, err)
		assert.Equal(t, 403, status, "pending invitations count against the quota of memberships too")
		assert.Equal(t, "organization_membership_quota_exceeded", code)
	})
}

func TestRevokeRefusesWhatIsNotPending(t *testing.T) {
	f := newFixture(t)
	member := f.srv.AddUser(clerktest.User{EmailAddress: "max@acme.test"})
	f.add(t, member, clerktest.RoleMember)
	revoke := func(orgID, id, by string) (*clerk.OrganizationInvitation, error) {
		inv, _, err := f.client.OrganizationInvitations.Revoke(ctx, orgID, id, clerk.RevokeOrganizationInvitationParams{RequestingUserID: by})
		return inv, err
	}
	pending := f.invite(t, "jane@acme.test", clerktest.RoleMember)
	revoked, err := revoke(f.org, pending.ID, f.admin)
	require.NoError(t, err)
	assert.Equal(t, "revoked", revoked.Status)
	assert.Greater(t, revoked.UpdatedAt, pending.UpdatedAt)
	got, _, err := f.client.OrganizationInvitations.Get(ctx, f.org, pending.ID)
	require.NoError(t, err)
	assert.Equal(t, revoked, got)

	accepted := f.invite(t, "neo@acme.test", clerktest.RoleMember)
	f.srv.AcceptInvitation(accepted.ID)
	expired := f.invite(t, "old@acme.test", clerktest.RoleMember)
	f.srv.ExpireInvitation(expired.ID)
	other := f.srv.AddOrganization("Other")
	stillPending := f.invite(t, "pat@acme.test", clerktest.RoleMember)
	tests := []struct {
		name, orgID, id, by string
		wantStatus          int
		wantCode            string
	}{
		{"a revoked invitation", f.org, pending.ID, "", 400, "organization_invitation_not_pending"},
		{"an accepted invitation", f.org, accepted.ID, "", 400, "organization_invitation_not_pending"},
		{"an expired invitation", f.org, expired.ID, "", 400, "organization_invitation_not_pending"},
		{"an unknown invitation", f.org, "orginv_missing", "", 404, "resource_not_found"},
		{"an invitation of another organization", other, stillPending.ID, "", 404, "resource_not_found"},
		{"a requesting user who is not an admin", f.org, stillPending.ID, member, 403, "not_an_admin_in_organization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := revoke(tt.orgID, tt.id, tt.by)
			status, code := codeOf(t, err)
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, tt.wantCode, code)
		})
	}
	t.Run("a revoked address may be invited again", func(t *testing.T) {
		again := f.invite(t, "jane@acme.test", clerktest.RoleAdmin)
		assert.NotEqual(t, pending.ID, again.ID)
	})
	t.Run("an expired invitation reads as expired", func(t *testing.T) {
		got, _, err := f.client.OrganizationInvitations.Get(ctx, f.org, expired.ID)
		require.NoError(t, err)
		assert.Equal(t, "expired", got.Status)
	})
}

func TestInvitationListsFilterOrderAndPage(t *testing.T) {
	f := newFixture(t)
	other := f.srv.AddOrganization("Other Org")
	s := f.client.OrganizationInvitations
	emails := []string{"carol@acme.test", "alice@acme.test", "bob@acme.test", "dave@acme.test"}
	ids := map[string]string{}
	for _, e := range emails {
		ids[e] = f.invite(t, e, clerktest.RoleMember).ID
	}
	elsewhere, _, err := s.Create(ctx, other, clerk.CreateOrganizationInvitationParams{EmailAddress: "alice@acme.test", Role: clerktest.RoleMember})
	require.NoError(t, err)
	_, _, err = s.Revoke(ctx, f.org, ids["bob@acme.test"], clerk.RevokeOrganizationInvitationParams{})
	require.NoError(t, err)

	addresses := func(page *clerk.OrganizationInvitations) []string {
		var out []string
		for _, inv := range page.Data {
			out = append(out, inv.EmailAddress)
		}
		return out
	}
	list := func(p *clerk.ListOrganizationInvitationsParams) *clerk.OrganizationInvitations {
		t.Helper()
		page, _, err := s.List(ctx, f.org, p)
		require.NoError(t, err)
		return page
	}
	t.Run("newest first by default", func(t *testing.T) {
		page := list(nil)
		assert.Equal(t, []string{"dave@acme.test", "bob@acme.test", "alice@acme.test", "carol@acme.test"}, addresses(page))
		assert.EqualValues(t, 4, page.TotalCount)
	})
	t.Run("by email address, ascending and descending", func(t *testing.T) {
		assert.Equal(t, []string{"alice@acme.test", "bob@acme.test", "carol@acme.test", "dave@acme.test"}, addresses(list(&clerk.ListOrganizationInvitationsParams{OrderBy: "email_address"})))
		assert.Equal(t, []string{"dave@acme.test", "carol@acme.test", "bob@acme.test", "alice@acme.test"}, addresses(list(&clerk.ListOrganizationInvitationsParams{OrderBy: "-email_address"})))
		assert.Equal(t, []string{"carol@acme.test", "alice@acme.test"}, addresses(list(&clerk.ListOrganizationInvitationsParams{OrderBy: "+created_at", Limit: 2})))
	})
	t.Run("by status", func(t *testing.T) {
		page := list(&clerk.ListOrganizationInvitationsParams{Status: "pending"})
		assert.Equal(t, []string{"dave@acme.test", "alice@acme.test", "carol@acme.test"}, addresses(page))
		assert.EqualValues(t, 3, page.TotalCount)
		assert.Equal(t, []string{"bob@acme.test"}, addresses(list(&clerk.ListOrganizationInvitationsParams{Status: "revoked"})))
		assert.Empty(t, list(&clerk.ListOrganizationInvitationsParams{Status: "accepted"}).Data)
	})
	t.Run("by email address, ignoring case", func(t *testing.T) {
		page := list(&clerk.ListOrganizationInvitationsParams{EmailAddress: "ALICE@acme.test"})
		require.Len(t, page.Data, 1)
		assert.Equal(t, ids["alice@acme.test"], page.Data[0].ID)
	})
	t.Run("a page by limit and offset, with the total of all matches", func(t *testing.T) {
		page := list(&clerk.ListOrganizationInvitationsParams{Limit: 2, Offset: 1})
		assert.Equal(t, []string{"bob@acme.test", "alice@acme.test"}, addresses(page))
		assert.EqualValues(t, 4, page.TotalCount)
		assert.Empty(t, list(&clerk.ListOrganizationInvitationsParams{Offset: 10}).Data)
	})
	t.Run("All walks them all", func(t *testing.T) {
		var got []string
		for inv, err := range s.All(ctx, f.org, &clerk.ListOrganizationInvitationsParams{Limit: 1}) {
			require.NoError(t, err)
			got = append(got, inv.EmailAddress)
		}
		assert.Equal(t, []string{"dave@acme.test", "bob@acme.test", "alice@acme.test", "carol@acme.test"}, got)
	})
	t.Run("the instance list spans organizations, matches a query and carries each organization", func(t *testing.T) {
		page, _, err := s.ListForInstance(ctx, &clerk.ListInstanceOrganizationInvitationsParams{Query: "ALI", OrderBy: "created_at"})
		require.NoError(t, err)
		require.Len(t, page.Data, 2)
		assert.Equal(t, ids["alice@acme.test"], page.Data[0].ID)
		assert.Equal(t, elsewhere.ID, page.Data[1].ID)
		require.NotNil(t, page.Data[1].PublicOrganizationData)
		assert.Equal(t, clerk.OrganizationInvitationPublicOrganizationData{ID: other, Name: "Other Org", Slug: "other-org",
			ImageURL: "https://img.clerk.com/default/" + other}, *page.Data[1].PublicOrganizationData)
		all, _, err := s.ListForInstance(ctx, &clerk.ListInstanceOrganizationInvitationsParams{Status: "pending"})
		require.NoError(t, err)
		assert.EqualValues(t, 4, all.TotalCount)
	})
	t.Run("the per-user list holds the invitations sent to the user's address", func(t *testing.T) {
		alice := f.srv.AddUser(clerktest.User{EmailAddress: "Alice@Acme.test"})
		page, _, err := s.ListForUser(ctx, alice, nil)
		require.NoError(t, err)
		require.Len(t, page.Data, 2)
		assert.Equal(t, elsewhere.ID, page.Data[0].ID, "newest first")
		assert.Equal(t, other, page.Data[0].PublicOrganizationData.ID)
		assert.Equal(t, ids["alice@acme.test"], page.Data[1].ID)
		assert.Equal(t, f.org, page.Data[1].PublicOrganizationData.ID)
		none, _, err := s.ListForUser(ctx, f.srv.AddUser(clerktest.User{}), &clerk.ListUserOrganizationInvitationsParams{Status: "pending"})
		require.NoError(t, err)
		assert.Empty(t, none.Data)
		_, _, err = s.ListForUser(ctx, "user_missing", nil)
		status, code := codeOf(t, err)
		assert.Equal(t, 404, status)
		assert.Equal(t, "resource_not_found", code)
	})
}

func TestAcceptInvitationMakesTheInviteeAMember(t *testing.T) {
	f := newFixture(t)
	rc := newReceiver(t, nil)
	secret := f.srv.AddWebhook(rc.URL)
	inv, _, err := f.client.OrganizationInvitations.Create(ctx, f.org, clerk.CreateOrganizationInvitationParams{
		EmailAddress: "Neo@Acme.test", Role: clerktest.RoleAdmin, PublicMetadata: map[string]any{"team": "red"}, PrivateMetadata: map[string]any{"seat": 1},
	})
	require.NoError(t, err)

	t.Run("a new user is created with the invitation's address", func(t *testing.T) {
		before, _, err := f.client.Users.List(ctx, &clerk.ListUsersParams{EmailAddresses: []string{"neo@acme.test"}})
		require.NoError(t, err)
		assert.Empty(t, before)
		userID := f.srv.AcceptInvitation(inv.ID)
		users, _, err := f.client.Users.List(ctx, &clerk.ListUsersParams{EmailAddresses: []string{"neo@acme.test"}})
		require.NoError(t, err)
		require.Len(t, users, 1)
		assert.Equal(t, userID, users[0].ID)
		assert.Equal(t, "Neo@Acme.test", users[0].PrimaryEmailAddress())

		page, _, err := f.client.OrganizationMemberships.List(ctx, f.org, &clerk.ListOrganizationMembershipsParams{UserIDs: []string{userID}})
		require.NoError(t, err)
		require.Len(t, page.Data, 1)
		m := page.Data[0]
		assert.Equal(t, "org:admin", m.Role, "with the invitation's role")
		assert.JSONEq(t, `{"team":"red"}`, string(m.PublicMetadata))
		assert.JSONEq(t, `{"seat":1}`, string(m.PrivateMetadata))

		got, _, err := f.client.OrganizationInvitations.Get(ctx, f.org, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, "accepted", got.Status)
		assert.Greater(t, got.UpdatedAt, inv.UpdatedAt)
		forUser, _, err := f.client.OrganizationInvitations.ListForUser(ctx, userID, &clerk.ListUserOrganizationInvitationsParams{Status: "accepted"})
		require.NoError(t, err)
		require.Len(t, forUser.Data, 1)
		assert.Equal(t, inv.ID, forUser.Data[0].ID)
	})
	t.Run("an existing user with the address, in another case, becomes the member", func(t *testing.T) {
		existing := f.srv.AddUser(clerktest.User{FirstName: "Trin", EmailAddress: "trin@acme.test"})
		inv := f.invite(t, "TRIN@acme.test", clerktest.RoleMember)
		assert.Equal(t, existing, f.srv.AcceptInvitation(inv.ID))
		users, _, err := f.client.Users.List(ctx, &clerk.ListUsersParams{EmailAddresses: []string{"trin@acme.test"}})
		require.NoError(t, err)
		assert.Len(t, users, 1, "no second user")
	})
	t.Run("the events are the invitation accepted, then the membership created", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, f.srv.FlushWebhooks(ctx))
		v, err := webhooks.NewVerifier(secret)
		require.NoError(t, err)
		var types []string
		for _, r := range rc.received() {
			req, err := http.NewRequest(http.MethodPost, rc.URL, strings.NewReader(string(r.body)))
			require.NoError(t, err)
			req.Header = r.header
			e, err := v.ParseRequest(req)
			require.NoError(t, err, "every delivery is signed")
			types = append(types, e.Type)
			if e.Type == webhooks.EventOrganizationInvitationAccepted && len(types) == 2 {
				got, err := e.OrganizationInvitation()
				require.NoError(t, err)
				assert.Equal(t, inv.ID, got.ID)
				assert.Equal(t, "accepted", got.Status)
			}
		}
		assert.Equal(t, []string{
			"organizationInvitation.created", "organizationInvitation.accepted", "organizationMembership.created",
			"organizationInvitation.created", "organizationInvitation.accepted", "organizationMembership.created",
		}, types)
	})
	t.Run("accepting what is not pending panics", func(t *testing.T) {
		assert.PanicsWithValue(t, "clerktest: invitation "+inv.ID+" is accepted, not pending", func() { f.srv.AcceptInvitation(inv.ID) })
		assert.PanicsWithValue(t, "clerktest: no invitation orginv_missing", func() { f.srv.AcceptInvitation("orginv_missing") })
		assert.Panics(t, func() { f.srv.ExpireInvitation(inv.ID) })
	})
	t.Run("accepting for someone who became a member meanwhile panics", func(t *testing.T) {
		inv := f.invite(t, "late@acme.test", clerktest.RoleMember)
		f.add(t, f.srv.AddUser(clerktest.User{EmailAddress: "late@acme.test"}), clerktest.RoleMember)
		assert.Panics(t, func() { f.srv.AcceptInvitation(inv.ID) })
	})
}

func TestInvitationChangesDeliverSignedEventsWithTheInvitationAsData(t *testing.T) {
	f := newFixture(t)
	rc := newReceiver(t, nil)
	secret := f.srv.AddWebhook(rc.URL)
	s := f.client.OrganizationInvitations
	bulk, _, err := s.CreateBulk(ctx, f.org, []clerk.CreateOrganizationInvitationParams{
		{EmailAddress: "a@acme.test", Role: clerktest.RoleMember}, {EmailAddress: "b@acme.test", Role: clerktest.RoleMember}})
	require.NoError(t, err)
	revoked, _, err := s.Revoke(ctx, f.org, bulk.Data[1].ID, clerk.RevokeOrganizationInvitationParams{})
	require.NoError(t, err)
	_, _, err = s.Create(ctx, f.org, clerk.CreateOrganizationInvitationParams{EmailAddress: "ada@acme.test", Role: clerktest.RoleMember})
	require.Error(t, err, "a refused invitation makes no event")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, f.srv.FlushWebhooks(ctx))

	v, err := webhooks.NewVerifier(secret)
	require.NoError(t, err)
	got := rc.received()
	require.Len(t, got, 3)
	want := []struct {
		typ string
		inv *clerk.OrganizationInvitation
	}{
		{webhooks.EventOrganizationInvitationCreated, bulk.Data[0]},
		{webhooks.EventOrganizationInvitationCreated, bulk.Data[1]},
		{webhooks.EventOrganizationInvitationRevoked, revoked},
	}
	for i, r := range got {
		req, err := http.NewRequest(http.MethodPost, rc.URL, strings.NewReader(string(r.body)))
		require.NoError(t, err)
		req.Header = r.header
		e, err := v.ParseRequest(req)
		require.NoError(t, err)
		assert.Equal(t, want[i].typ, e.Type)
		inv, err := e.OrganizationInvitation()
		require.NoError(t, err)
		assert.Equal(t, want[i].inv, inv, "data is the invitation as the API answered")
	}
}

func TestOperationRateLimits(t *testing.T) {
	invite := func(f *fixture, i int) error {
		_, _, err := f.client.OrganizationInvitations.Create(ctx, f.org, clerk.CreateOrganizationInvitationParams{
			EmailAddress: "p" + strconv.Itoa(i) + "@acme.test", Role: clerktest.RoleMember})
		return err
	}
	bulk := func(f *fixture, i, n int) error {
		ps := make([]clerk.CreateOrganizationInvitationParams, n)
		for j := range ps {
			ps[j] = clerk.CreateOrganizationInvitationParams{EmailAddress: "b" + strconv.Itoa(i) + "-" + strconv.Itoa(j) + "@acme.test", Role: clerktest.RoleMember}
		}
		_, _, err := f.client.OrganizationInvitations.CreateBulk(ctx, f.org, ps)
		return err
	}
	retryAfter := func(t *testing.T, err error) time.Duration {
		t.Helper()
		var apiErr *clerk.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 429, apiErr.StatusCode)
		assert.True(t, apiErr.HasCode("too_many_requests"))
		assert.ErrorIs(t, err, clerk.ErrRateLimited)
		return apiErr.RetryAfter
	}
	t.Run("by default 250 invitations an hour are accepted, and the 251st is refused for about an hour", func(t *testing.T) {
		f := newFixture(t)
		for i := range 250 {
			require.NoError(t, invite(f, i), "invitation %d", i)
		}
		wait := retryAfter(t, invite(f, 250))
		assert.Greater(t, wait, 59*time.Minute)
		assert.LessOrEqual(t, wait, time.Hour)
		require.NoError(t, bulk(f, 0, 1), "the bulk budget is separate")
		_, _, err := f.client.OrganizationInvitations.List(ctx, f.org, nil)
		require.NoError(t, err, "other operations are not limited")
		assert.Equal(t, 251, f.srv.CountRequests("POST", "/v1/organizations/"+f.org+"/invitations"), "a 429 is not retried after an hour's Retry-After")
	})
	t.Run("by default 50 bulk calls an hour are accepted, each counting once however many it carries", func(t *testing.T) {
		f := newFixture(t)
		for i := range 50 {
			require.NoError(t, bulk(f, i, 1+i%10), "bulk call %d", i)
		}
		retryAfter(t, bulk(f, 50, 1))
		require.NoError(t, invite(f, 0), "the single budget is separate")
	})
	t.Run("a limit can be set on any operation and counts refused requests too", func(t *testing.T) {
		f := newFixture(t)
		f.srv.SetOperationRateLimit("GetUserList", 2, time.Minute)
		_, _, err := f.client.Users.List(ctx, nil)
		require.NoError(t, err)
		_, _, err = f.client.Users.List(ctx, &clerk.ListUsersParams{OrderBy: "shoe_size"})
		require.Error(t, err)
		wait := retryAfter(t, func() error { _, _, err := f.client.Users.List(ctx, nil); return err }())
		assert.Greater(t, wait, 58*time.Second)
		assert.LessOrEqual(t, wait, time.Minute)
	})
	t.Run("the window starts again once it has passed", func(t *testing.T) {
		f := newFixture(t)
		f.srv.SetOperationRateLimit("CreateOrganizationInvitation", 1, 50*time.Millisecond)
		require.NoError(t, invite(f, 0))
		retryAfter(t, invite(f, 1))
		time.Sleep(60 * time.Millisecond)
		require.NoError(t, invite(f, 2))
	})
	t.Run("n <= 0 lifts an operation's limit", func(t *testing.T) {
		f := newFixture(t)
		f.srv.SetOperationRateLimit("CreateOrganizationInvitationBulk", 1, time.Hour)
		require.NoError(t, bulk(f, 0, 1))
		retryAfter(t, bulk(f, 1, 1))
		f.srv.SetOperationRateLimit("CreateOrganizationInvitationBulk", 0, 0)
		for i := 2; i < 60; i++ {
			require.NoError(t, bulk(f, i, 1))
		}
	})
}
