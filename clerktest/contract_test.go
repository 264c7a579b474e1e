package clerktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

// specPath is Clerk's OpenAPI document, beside the repository in this workspace.
const specPath = "../shared/spec/2026-05-12.yml"

var loadSpec = sync.OnceValues(func() (*openapi3.T, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for { // the repository root holds go.mod
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, os.ErrNotExist
		}
		dir = parent
	}
	path := filepath.Join(dir, specPath)
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	return openapi3.NewLoader().LoadFromFile(path)
})

// contract is a RoundTripper that validates every request it carries and
// every response it brings back against Clerk's OpenAPI document, and notes
// which operation answered with which status.
type contract struct {
	t             *testing.T
	doc           *openapi3.T
	router        routers.Router
	checkRequests bool

	mu      sync.Mutex
	covered map[string]bool // "operationId status"
}

func newContract(t *testing.T) *contract {
	t.Helper()
	doc, err := loadSpec()
	if os.IsNotExist(err) {
		t.Skipf("Clerk's OpenAPI document is not at %s beside the repository (a clone outside this workspace); skipping contract tests", specPath)
	}
	require.NoError(t, err)
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return &contract{t: t, doc: doc, router: router, checkRequests: true, covered: map[string]bool{}}
}

func (c *contract) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	c.validate(req, reqBody, resp, respBody)
	return resp, nil
}

func (c *contract) validate(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	ctx := context.Background()
	// Route as if the request had gone to the document's server.
	probe := req.Clone(ctx)
	probe.URL.Scheme, probe.URL.Host, probe.Host = "https", "api.clerk.com", "api.clerk.com"
	probe.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, pathParams, err := c.router.FindRoute(probe)
	if !assert.NoError(c.t, err, "%s %s has no route in the spec", req.Method, req.URL.Path) {
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	input := &openapi3filter.RequestValidationInput{Request: probe, PathParams: pathParams, Route: route, Options: opts}
	if c.checkRequests {
		assert.NoError(c.t, openapi3filter.ValidateRequest(ctx, input), "request %s %s?%s %s", req.Method, req.URL.Path, req.URL.RawQuery, reqBody)
	}

	op := route.Operation.OperationID
	c.mu.Lock()
	c.covered[op+" "+strconv.Itoa(resp.StatusCode)] = true
	c.mu.Unlock()

	if route.Operation.Responses.Status(resp.StatusCode) == nil {
		// Statuses the document does not declare (409, 429, ...) must still
		// carry the ClerkErrors schema.
		var body any
		if assert.NoError(c.t, json.Unmarshal(respBody, &body), "%s %d body is not JSON: %s", op, resp.StatusCode, respBody) {
			schema := c.doc.Components.Schemas["ClerkErrors"].Value
			assert.NoError(c.t, schema.VisitJSON(body), "%s %d body is not ClerkErrors: %s", op, resp.StatusCode, respBody)
		}
		return
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input, Status: resp.StatusCode, Header: resp.Header,
		Body:    io.NopCloser(bytes.NewReader(respBody)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	assert.NoError(c.t, openapi3filter.ValidateResponse(ctx, out), "%s %d response: %s", op, resp.StatusCode, respBody)
}

func (c *contract) Covered() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k := range c.covered {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// raw sends a request the SDK would refuse to send, through the contract.
func (c *contract) raw(t *testing.T, srv *clerktest.Server, method, path, contentType, body string) int {
	t.Helper()
	c.checkRequests = false
	defer func() { c.checkRequests = true }()
	req, err := http.NewRequest(method, strings.TrimSuffix(srv.URL, "/")+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.SecretKey)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := (&http.Client{Transport: c}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestEveryAnswerOfTheFakeAndEveryRequestOfTheSDKMatchClerksSpec(t *testing.T) {
	c := newContract(t)
	srv := clerktest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	noRetry := clerk.WithRetryPolicy(clerk.RetryPolicy{})
	client := srv.Client(clerk.WithHTTPClient(&http.Client{Transport: c}), noRetry)
	wrongKey, err := clerk.NewClient("sk_test_wrong", clerk.WithBaseURL(srv.URL), clerk.WithHTTPClient(&http.Client{Transport: c}), noRetry)
	require.NoError(t, err)
	s := client.OrganizationMemberships

	org := srv.AddOrganization("Acme Corp")
	admin := srv.AddUser(clerktest.User{FirstName: "Ada", EmailAddress: "ada@acme.test", Username: "ada", PhoneNumber: "+15550100",
		Web3Wallet: "0xada", LastActiveAt: time.Now()})
	jane := srv.AddUser(clerktest.User{FirstName: "Jane", LastName: "Doe", EmailAddress: "jane@acme.test"})
	bare := srv.AddUser(clerktest.User{}) // every nullable field null
	srv.AddRole("org:billing", "Billing", "org:billing:manage")

	expect := func(wantStatus int) func(resp *clerk.Response, err error) {
		return func(resp *clerk.Response, err error) {
			t.Helper()
			if wantStatus == 200 {
				require.NoError(t, err)
			}
			require.NotNil(t, resp)
			require.Equal(t, wantStatus, resp.StatusCode, "%v", err)
		}
	}
	create := func(orgID string, p clerk.CreateOrganizationMembershipParams) (*clerk.Response, error) {
		_, r, err := s.Create(ctx, orgID, p)
		return r, err
	}

	// Create: success, and every error it can answer with.
	expect(200)(create(org, clerk.CreateOrganizationMembershipParams{UserID: admin, Role: "org:admin",
		PublicMetadata: map[string]any{"a": 1}, PrivateMetadata: map[string]any{"b": map[string]any{"c": true}}}))
	expect(200)(create(org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:billing"}))
	expect(200)(create(org, clerk.CreateOrganizationMembershipParams{UserID: bare, Role: "org:member"}))
	expect(400)(create(org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member"}))
	expect(404)(create("org_missing", clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member"}))
	expect(404)(create(org, clerk.CreateOrganizationMembershipParams{UserID: "user_missing", Role: "org:member"}))
	expect(422)(create(org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:nope"}))
	expect(422)(create(org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member",
		PublicMetadata: map[string]any{"blob": strings.Repeat("x", 9000)}}))
	full := srv.AddOrganization("Full")
	srv.SetMaxAllowedMemberships(full, 1)
	expect(200)(create(full, clerk.CreateOrganizationMembershipParams{UserID: admin, Role: "org:admin"}))
	expect(403)(create(full, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member"}))
	_, resp, err := wrongKey.OrganizationMemberships.Create(ctx, org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member"})
	expect(401)(resp, err)
	membershipsPath := "/organizations/" + org + "/memberships"
	assert.Equal(t, 422, c.raw(t, srv, "POST", membershipsPath, "application/json", `{"role":"org:member"}`))
	assert.Equal(t, 422, c.raw(t, srv, "POST", membershipsPath, "application/json", `{"user_id":"`+jane+`","role":"org:member","colour":"red"}`))
	assert.Equal(t, 400, c.raw(t, srv, "POST", membershipsPath, "application/json", `{"user_id":`))
	assert.Equal(t, 415, c.raw(t, srv, "POST", membershipsPath, "text/plain", `user_id=x`))

	// List with every filter, and its errors.
	list := func(orgID string, p *clerk.ListOrganizationMembershipsParams) (*clerk.Response, error) {
		_, r, err := s.List(ctx, orgID, p)
		return r, err
	}
	expect(200)(list(org, nil))
	expect(200)(list(org, &clerk.ListOrganizationMembershipsParams{
		Limit: 5, Offset: 0, OrderBy: "+email_address", UserIDs: []string{admin, "-" + jane}, EmailAddresses: []string{"ada@acme.test"},
		PhoneNumbers: []string{"+15550100"}, Usernames: []string{"ada"}, Web3Wallets: []string{"0xada"}, Roles: []string{"org:admin"},
		Query: "ad", EmailAddressQuery: "ADA", PhoneNumberQuery: "555", UsernameQuery: "a", NameQuery: "ad",
		LastActiveAtAfter: time.Now().Add(-time.Hour), LastActiveAtBefore: time.Now().Add(time.Hour),
		CreatedAtAfter: time.Now().Add(-time.Hour), CreatedAtBefore: time.Now().Add(time.Hour),
	}))
	expect(404)(list("org_missing", nil))
	_, resp, err = wrongKey.OrganizationMemberships.List(ctx, org, nil)
	expect(401)(resp, err)
	assert.Equal(t, 422, c.raw(t, srv, "GET", membershipsPath+"?limit=501", "", ""))
	assert.Equal(t, 422, c.raw(t, srv, "GET", membershipsPath+"?offset=-1", "", ""))
	assert.Equal(t, 422, c.raw(t, srv, "GET", membershipsPath+"?order_by=shoe_size", "", ""))

	// ListForInstance and its errors.
	_, resp, err = s.ListForInstance(ctx, &clerk.ListInstanceOrganizationMembershipsParams{Limit: 2, Offset: 1, OrderBy: "-username"})
	expect(200)(resp, err)
	_, resp, err = wrongKey.OrganizationMemberships.ListForInstance(ctx, nil)
	expect(401)(resp, err)
	assert.Equal(t, 422, c.raw(t, srv, "GET", "/organization_memberships?limit=0", "", ""))

	// ListForUser and its errors.
	_, resp, err = s.ListForUser(ctx, admin, &clerk.ListUserOrganizationMembershipsParams{Limit: 2, Offset: 0})
	expect(200)(resp, err)
	_, resp, err = s.ListForUser(ctx, "user_missing", nil)
	expect(404)(resp, err)
	_, resp, err = wrongKey.OrganizationMemberships.ListForUser(ctx, admin, nil)
	expect(401)(resp, err)
	assert.Equal(t, 422, c.raw(t, srv, "GET", "/users/"+admin+"/organization_memberships?limit=501", "", ""))

	// Update and its errors.
	update := func(orgID, userID, role string) (*clerk.Response, error) {
		_, r, err := s.Update(ctx, orgID, userID, clerk.UpdateOrganizationMembershipParams{Role: role})
		return r, err
	}
	expect(200)(update(org, jane, "org:member"))
	expect(404)(update(org, "user_missing", "org:member"))
	expect(404)(update("org_missing", jane, "org:member"))
	expect(422)(update(org, jane, "org:nope"))
	expect(400)(update(org, admin, "org:member")) // the last admin
	assert.Equal(t, 422, c.raw(t, srv, "PATCH", membershipsPath+"/"+jane, "application/json", `{}`))

	// UpdateMetadata and its errors.
	updateMetadata := func(userID string, p clerk.UpdateOrganizationMembershipMetadataParams) (*clerk.Response, error) {
		_, r, err := s.UpdateMetadata(ctx, org, userID, p)
		return r, err
	}
	expect(200)(updateMetadata(admin, clerk.UpdateOrganizationMembershipMetadataParams{
		PublicMetadata: map[string]any{"a": nil, "n": map[string]any{"x": 1}}, PrivateMetadata: map[string]any{"b": map[string]any{"c": nil}}}))
	expect(200)(updateMetadata(admin, clerk.UpdateOrganizationMembershipMetadataParams{}))
	expect(404)(updateMetadata("user_missing", clerk.UpdateOrganizationMembershipMetadataParams{}))
	expect(422)(updateMetadata(admin, clerk.UpdateOrganizationMembershipMetadataParams{PrivateMetadata: map[string]any{"blob": strings.Repeat("y", 9000)}}))
	assert.Equal(t, 422, c.raw(t, srv, "PATCH", membershipsPath+"/"+admin+"/metadata", "application/json", `{"unsafe_metadata":{}}`))
	assert.Equal(t, 400, c.raw(t, srv, "PATCH", membershipsPath+"/"+admin+"/metadata", "application/json", `[`))

	// Delete and its errors.
	del := func(orgID, userID string) (*clerk.Response, error) {
		_, r, err := s.Delete(ctx, orgID, userID)
		return r, err
	}
	expect(200)(del(org, jane))
	expect(404)(del(org, jane))
	expect(400)(del(org, admin)) // the last admin
	_, resp, err = wrongKey.OrganizationMemberships.Delete(ctx, org, admin)
	expect(401)(resp, err)

	// Injected faults and the rate limiter answer in Clerk's shape too.
	srv.InjectFault(clerktest.Fault{Status: 503})
	expect(503)(list(org, nil))
	srv.InjectFault(clerktest.Fault{Status: 409, Method: "DELETE"})
	expect(409)(del(org, bare))
	srv.SetRateLimit(1, time.Hour)
	expect(200)(list(org, nil))
	expect(429)(list(org, nil))
	srv.SetRateLimit(0, 0)

	want := []string{
		"CreateOrganizationMembership 200", "CreateOrganizationMembership 400", "CreateOrganizationMembership 401",
		"CreateOrganizationMembership 403", "CreateOrganizationMembership 404", "CreateOrganizationMembership 415",
		"CreateOrganizationMembership 422",
		"DeleteOrganizationMembership 200", "DeleteOrganizationMembership 400", "DeleteOrganizationMembership 401",
		"DeleteOrganizationMembership 404", "DeleteOrganizationMembership 409",
		"InstanceGetOrganizationMemberships 200", "InstanceGetOrganizationMemberships 401", "InstanceGetOrganizationMemberships 422",
		"ListOrganizationMemberships 200", "ListOrganizationMemberships 401", "ListOrganizationMemberships 404",
		"ListOrganizationMemberships 422", "ListOrganizationMemberships 429", "ListOrganizationMemberships 503",
		"UpdateOrganizationMembership 200", "UpdateOrganizationMembership 400", "UpdateOrganizationMembership 404",
		"UpdateOrganizationMembership 422",
		"UpdateOrganizationMembershipMetadata 200", "UpdateOrganizationMembershipMetadata 400",
		"UpdateOrganizationMembershipMetadata 404", "UpdateOrganizationMembershipMetadata 422",
		"UsersGetOrganizationMemberships 200", "UsersGetOrganizationMemberships 401", "UsersGetOrganizationMemberships 404",
		"UsersGetOrganizationMemberships 422",
	}
	assert.Equal(t, want, c.Covered(), "every operation and every answer the fake gives was validated")
}

func TestTheDocumentDeclaresTheSevenOperationsWhereTheSDKSendsThem(t *testing.T) {
	c := newContract(t)
	for path, methods := range map[string][]string{
		"/organizations/{organization_id}/memberships":                    {"GET", "POST"},
		"/organizations/{organization_id}/memberships/{user_id}":          {"PATCH", "DELETE"},
		"/organizations/{organization_id}/memberships/{user_id}/metadata": {"PATCH"},
		"/organization_memberships":                                       {"GET"},
		"/users/{user_id}/organization_memberships":                       {"GET"},
	} {
		item := c.doc.Paths.Value(path)
		require.NotNil(t, item, path)
		for _, m := range methods {
			assert.NotNil(t, item.GetOperation(m), "%s %s", m, path)
		}
	}
}

func TestEveryInvitationAndUserAnswerOfTheFakeAndEveryRequestOfTheSDKMatchClerksSpec(t *testing.T) {
	c := newContract(t)
	srv := clerktest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	noRetry := clerk.WithRetryPolicy(clerk.RetryPolicy{})
	client := srv.Client(clerk.WithHTTPClient(&http.Client{Transport: c}), noRetry)
	wrongKey, err := clerk.NewClient("sk_test_wrong", clerk.WithBaseURL(srv.URL), clerk.WithHTTPClient(&http.Client{Transport: c}), noRetry)
	require.NoError(t, err)
	s := client.OrganizationInvitations

	org := srv.AddOrganization("Acme Corp")
	admin := srv.AddUser(clerktest.User{FirstName: "Ada", EmailAddress: "ada@acme.test", Username: "ada", PhoneNumber: "+15550100",
		Web3Wallet: "0xada", LastActiveAt: time.Now()})
	member := srv.AddUser(clerktest.User{FirstName: "Max", EmailAddress: "max@acme.test"})
	bare := srv.AddUser(clerktest.User{}) // every nullable field null
	srv.AddMembership(org, admin, clerktest.RoleAdmin)
	srv.AddMembership(org, member, clerktest.RoleMember)

	expect := func(wantStatus int) func(resp *clerk.Response, err error) {
		return func(resp *clerk.Response, err error) {
			t.Helper()
			if wantStatus == 200 {
				require.NoError(t, err)
			}
			require.NotNil(t, resp)
			require.Equal(t, wantStatus, resp.StatusCode, "%v", err)
		}
	}
	no := false
	create := func(orgID string, p clerk.CreateOrganizationInvitationParams) (*clerk.Response, error) {
		_, r, err := s.Create(ctx, orgID, p)
		return r, err
	}

	// Create: success with every field, and every error it can answer with.
	inv, resp, err := s.Create(ctx, org, clerk.CreateOrganizationInvitationParams{EmailAddress: "jane@acme.test", Role: "org:member",
		InviterUserID: admin, PublicMetadata: map[string]any{"a": 1}, PrivateMetadata: map[string]any{"b": map[string]any{"c": true}},
		RedirectURL: "https://app.acme.test/", ExpiresInDays: 7, Notify: &no})
	expect(200)(resp, err)
	expect(200)(create(org, clerk.CreateOrganizationInvitationParams{EmailAddress: "neo@acme.test", Role: "org:admin"}))
	expect(400)(create(org, clerk.CreateOrganizationInvitationParams{EmailAddress: "max@acme.test", Role: "org:member"}))
	expect(403)(create(org, clerk.CreateOrganizationInvitationParams{EmailAddress: "x@acme.test", Role: "org:member", InviterUserID: member}))
	expect(404)(create("org_missing", clerk.CreateOrganizationInvitationParams{EmailAddress: "x@acme.test", Role: "org:member"}))
	expect(422)(create(org, clerk.CreateOrganizationInvitationParams{EmailAddress: "x@localhost", Role: "org:member"}))
	expect(422)(create(org, clerk.CreateOrganizationInvitationParams{EmailAddress: "x@acme.test", Role: "org:nope"}))
	_, resp, err = wrongKey.OrganizationInvitations.Create(ctx, org, clerk.CreateOrganizationInvitationParams{EmailAddress: "x@acme.test", Role: "org:member"})
	expect(401)(resp, err)
	invitationsPath := "/organizations/" + org + "/invitations"
	assert.Equal(t, 422, c.raw(t, srv, "POST", invitationsPath, "application/json", `{"role":"org:member"}`))
	assert.Equal(t, 400, c.raw(t, srv, "POST", invitationsPath, "application/json", `{"email_address":`))

	// CreateBulk and its errors.
	bulk := func(orgID string, emails ...string) (*clerk.Response, error) {
		ps := make([]clerk.CreateOrganizationInvitationParams, len(emails))
		for i, e := range emails {
			ps[i] = clerk.CreateOrganizationInvitationParams{EmailAddress: e, Role: "org:member", ExpiresInDays: 1 + i, PublicMetadata: map[string]any{"i": i}}
		}
		_, r, err := s.CreateBulk(ctx, orgID, ps)
		return r, err
	}
	expect(200)(bulk(org, "b1@acme.test", "b2@acme.test", "b3@acme.test"))
	expect(400)(bulk(org, "b4@acme.test", "b1@acme.test"))
	expect(404)(bulk("org_missing", "b5@acme.test"))
	expect(422)(bulk(org, "b6@nowhere"))
	_, resp, err = wrongKey.OrganizationInvitations.CreateBulk(ctx, org, []clerk.CreateOrganizationInvitationParams{{EmailAddress: "x@acme.test", Role: "org:member"}})
	expect(401)(resp, err)
	full := srv.AddOrganization("Full")
	srv.SetMaxAllowedMemberships(full, 1)
	expect(403)(bulk(full, "q1@acme.test", "q2@acme.test"))
	assert.Equal(t, 422, c.raw(t, srv, "POST", invitationsPath+"/bulk", "application/json", `[]`))

	// Get and its errors.
	_, resp, err = s.Get(ctx, org, inv.ID)
	expect(200)(resp, err)
	_, resp, err = s.Get(ctx, org, "orginv_missing")
	expect(404)(resp, err)
	_, resp, err = wrongKey.OrganizationInvitations.Get(ctx, org, inv.ID)
	expect(401)(resp, err)

	// List with every filter, and its errors.
	list := func(orgID string, p *clerk.ListOrganizationInvitationsParams) (*clerk.Response, error) {
		_, r, err := s.List(ctx, orgID, p)
		return r, err
	}
	expect(200)(list(org, nil))
	expect(200)(list(org, &clerk.ListOrganizationInvitationsParams{Status: "pending", EmailAddress: "jane@acme.test", OrderBy: "-email_address", Limit: 2, Offset: 0}))
	expect(404)(list("org_missing", nil))
	_, resp, err = wrongKey.OrganizationInvitations.List(ctx, org, nil)
	expect(401)(resp, err)
	assert.Equal(t, 422, c.raw(t, srv, "GET", invitationsPath+"?order_by=role", "", ""))

	// ListForInstance and ListForUser and their errors.
	_, resp, err = s.ListForInstance(ctx, &clerk.ListInstanceOrganizationInvitationsParams{Status: "pending", Query: "acme", OrderBy: "email_address", Limit: 5, Offset: 1})
	expect(200)(resp, err)
	_, resp, err = wrongKey.OrganizationInvitations.ListForInstance(ctx, nil)
	expect(401)(resp, err)
	assert.Equal(t, 422, c.raw(t, srv, "GET", "/organization_invitations?limit=0", "", ""))
	jane := srv.AddUser(clerktest.User{EmailAddress: "jane@acme.test"})
	_, resp, err = s.ListForUser(ctx, jane, &clerk.ListUserOrganizationInvitationsParams{Status: "pending", Limit: 2})
	expect(200)(resp, err)
	_, resp, err = s.ListForUser(ctx, "user_missing", nil)
	expect(404)(resp, err)
	_, resp, err = wrongKey.OrganizationInvitations.ListForUser(ctx, jane, nil)
	expect(401)(resp, err)

	// Revoke and its errors.
	revoke := func(id, by string) (*clerk.Response, error) {
		_, r, err := s.Revoke(ctx, org, id, clerk.RevokeOrganizationInvitationParams{RequestingUserID: by})
		return r, err
	}
	expect(200)(revoke(inv.ID, admin))
	expect(400)(revoke(inv.ID, ""))
	expect(404)(revoke("orginv_missing", ""))
	pending, _, err := s.Create(ctx, org, clerk.CreateOrganizationInvitationParams{EmailAddress: "pat@acme.test", Role: "org:member"})
	require.NoError(t, err)
	expect(403)(revoke(pending.ID, member))
	_, resp, err = wrongKey.OrganizationInvitations.Revoke(ctx, org, pending.ID, clerk.RevokeOrganizationInvitationParams{})
	expect(401)(resp, err)
	srv.AcceptInvitation(pending.ID) // accepted invitations list and read back valid too
	expect(200)(list(org, &clerk.ListOrganizationInvitationsParams{Status: "accepted"}))

	// GetUserList with every filter and ordering, and its errors.
	users := func(p *clerk.ListUsersParams) (*clerk.Response, error) {
		_, r, err := client.Users.List(ctx, p)
		return r, err
	}
	expect(200)(users(nil))
	expect(200)(users(&clerk.ListUsersParams{EmailAddresses: []string{"ada@acme.test", "max@acme.test"}, ExternalIDs: []string{"-hr-1"},
		UserIDs: []string{admin, "-" + bare}, OrganizationIDs: []string{org}, Query: "a", OrderBy: "-last_active_at", Limit: 10, Offset: 0}))
	expect(200)(users(&clerk.ListUsersParams{UserIDs: []string{bare}}))
	expect(200)(users(&clerk.ListUsersParams{StartingAfter: admin, OrderBy: "+created_at", Limit: 1}))
	_, resp, err = wrongKey.Users.List(ctx, nil)
	expect(401)(resp, err)
	expect(422)(users(&clerk.ListUsersParams{OrderBy: "shoe_size"}))

	// The invitation budget answers in Clerk's shape.
	srv.SetOperationRateLimit("CreateOrganizationInvitation", 1, time.Hour)
	expect(200)(create(org, clerk.CreateOrganizationInvitationParams{EmailAddress: "r1@acme.test", Role: "org:member"}))
	expect(429)(create(org, clerk.CreateOrganizationInvitationParams{EmailAddress: "r2@acme.test", Role: "org:member"}))

	want := []string{
		"CreateOrganizationInvitation 200", "CreateOrganizationInvitation 400", "CreateOrganizationInvitation 401",
		"CreateOrganizationInvitation 403", "CreateOrganizationInvitation 404", "CreateOrganizationInvitation 422",
		"CreateOrganizationInvitation 429",
		"CreateOrganizationInvitationBulk 200", "CreateOrganizationInvitationBulk 400", "CreateOrganizationInvitationBulk 401",
		"CreateOrganizationInvitationBulk 403", "CreateOrganizationInvitationBulk 404", "CreateOrganizationInvitationBulk 422",
		"GetOrganizationInvitation 200", "GetOrganizationInvitation 401", "GetOrganizationInvitation 404",
		"GetUserList 200", "GetUserList 401", "GetUserList 422",
		"ListInstanceOrganizationInvitations 200", "ListInstanceOrganizationInvitations 401", "ListInstanceOrganizationInvitations 422",
		"ListOrganizationInvitations 200", "ListOrganizationInvitations 401", "ListOrganizationInvitations 404", "ListOrganizationInvitations 422",
		"RevokeOrganizationInvitation 200", "RevokeOrganizationInvitation 400", "RevokeOrganizationInvitation 401",
		"RevokeOrganizationInvitation 403", "RevokeOrganizationInvitation 404",
		"UsersGetOrganizationInvitations 200", "UsersGetOrganizationInvitations 401", "UsersGetOrganizationInvitations 404",
	}
	assert.Equal(t, want, c.Covered(), "every new operation and every answer the fake gives was validated")
}
