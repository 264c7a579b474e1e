package clerktest_test

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

// getOrganization registers GET /v1/organizations/{id} with a handler that
// answers with the ID it was given, and counts its calls.
func getOrganization(srv *clerktest.Server) *atomic.Int32 {
	calls := new(atomic.Int32)
	srv.Handle("GET /v1/organizations/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"object": "organization", "id": r.PathValue("id")})
	}))
	return calls
}

func TestHandleServesEndpointsTheFakeDoesNotEmulate(t *testing.T) {
	f := newFixture(t)
	calls := getOrganization(f.srv)
	path, err := clerk.JoinPath("organizations", "org_a/b")
	require.NoError(t, err)

	var org struct{ Object, ID string }
	resp, err := f.client.Do(ctx, &clerk.Request{Operation: "GetOrganization", Method: http.MethodGet, Path: path}, &org)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "org_a/b", org.ID, "the escaped ID reaches the handler as one literal path value")
	assert.Equal(t, int32(1), calls.Load())
	assert.Equal(t, 1, f.srv.CountRequests("GET", "/v1/organizations/org_a%2Fb"), "the request is recorded")
	assert.NotEmpty(t, resp.TraceID, "the answer carries a trace ID like every other")
}

func TestHandledEndpointsAreAuthenticatedFaultedAndRateLimited(t *testing.T) {
	f := newFixture(t)
	calls := getOrganization(f.srv)
	get := &clerk.Request{Operation: "GetOrganization", Method: http.MethodGet, Path: "organizations/org_1"}

	wrongKey, err := clerk.NewClient("sk_test_wrong", clerk.WithBaseURL(f.srv.URL), clerk.WithRetryPolicy(clerk.RetryPolicy{}))
	require.NoError(t, err)
	_, err = wrongKey.Do(ctx, get, nil)
	assert.ErrorIs(t, err, clerk.ErrUnauthorized)

	f.srv.InjectFault(clerktest.Fault{Path: "/v1/organizations/org_1", Status: 503})
	_, err = f.client.Do(ctx, get, nil)
	assert.ErrorIs(t, err, clerk.ErrServer)

	f.srv.SetRateLimit(1, time.Hour)
	_, err = f.client.Do(ctx, get, nil)
	require.NoError(t, err)
	_, err = f.client.Do(ctx, get, nil)
	assert.ErrorIs(t, err, clerk.ErrRateLimited)

	assert.Equal(t, int32(1), calls.Load(), "only the one request that passed every check reached the handler")
	assert.Equal(t, 4, f.srv.CountRequests("GET", "/v1/organizations/org_1"))
}

func TestListForUserListsTheUsersMembershipsInEveryOrganization(t *testing.T) {
	f := newFixture(t)
	other := f.srv.AddOrganization("Other Inc")
	third := f.srv.AddOrganization("Third Ltd")
	jane := f.srv.AddUser(clerktest.User{FirstName: "Jane"})
	f.srv.AddMembership(f.org, jane, clerktest.RoleMember)
	f.srv.AddMembership(other, jane, clerktest.RoleAdmin)
	f.srv.AddMembership(third, f.admin, clerktest.RoleAdmin) // not Jane's

	page, _, err := f.client.OrganizationMemberships.ListForUser(ctx, jane, nil)
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assert.Equal(t, int64(2), page.TotalCount)
	got := map[string]string{}
	for _, m := range page.Data {
		assert.Equal(t, jane, m.PublicUserData.UserID)
		got[m.Organization.ID] = m.Role
	}
	assert.Equal(t, map[string]string{f.org: clerktest.RoleMember, other: clerktest.RoleAdmin}, got)

	page, _, err = f.client.OrganizationMemberships.ListForUser(ctx, jane, &clerk.ListUserOrganizationMembershipsParams{Limit: 1, Offset: 1})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	assert.Equal(t, int64(2), page.TotalCount)

	_, resp, err := f.client.OrganizationMemberships.ListForUser(ctx, "user_missing", nil)
	assert.ErrorIs(t, err, clerk.ErrNotFound)
	assert.Equal(t, 404, resp.StatusCode)
}
