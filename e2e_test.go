package clerk_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

// These tests drive the SDK against clerktest over real HTTP.

var fast = clerk.WithRetryPolicy(clerk.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Second})

func newOrg(t *testing.T, opts ...clerk.Option) (*clerktest.Server, *clerk.Client, string) {
	t.Helper()
	srv := clerktest.NewServer()
	t.Cleanup(srv.Close)
	return srv, srv.Client(append([]clerk.Option{fast}, opts...)...), srv.AddOrganization("Acme")
}

func TestEndToEndEveryOperation(t *testing.T) {
	srv, client, org := newOrg(t)
	ctx := context.Background()
	s := client.OrganizationMemberships
	admin := srv.AddUser(clerktest.User{FirstName: "Ada", EmailAddress: "ada@acme.test"})
	jane := srv.AddUser(clerktest.User{FirstName: "Jane", EmailAddress: "jane@acme.test"})

	_, _, err := s.Create(ctx, org, clerk.CreateOrganizationMembershipParams{UserID: admin, Role: "org:admin"})
	require.NoError(t, err)
	created, resp, err := s.Create(ctx, org, clerk.CreateOrganizationMembershipParams{
		UserID: jane, Role: "org:member",
		PublicMetadata:  map[string]any{"team": map[string]any{"name": "core", "lead": true, "tags": []string{"a"}}},
		PrivateMetadata: map[string]any{"salary_band": 3},
	})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Len(t, resp.TraceID, 32)
	assert.JSONEq(t, `{"team":{"name":"core","lead":true,"tags":["a"]}}`, string(created.PublicMetadata))

	updated, _, err := s.Update(ctx, org, jane, clerk.UpdateOrganizationMembershipParams{Role: "org:admin"})
	require.NoError(t, err)
	assert.Equal(t, "org:admin", updated.Role)
	assert.Equal(t, created.ID, updated.ID)

	merged, _, err := s.UpdateMetadata(ctx, org, jane, clerk.UpdateOrganizationMembershipMetadataParams{
		PublicMetadata: map[string]any{"team": map[string]any{"lead": nil, "size": 4}, "new": map[string]any{"x": nil, "y": 1}},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"team":{"name":"core","tags":["a"],"size":4},"new":{"y":1}}`, string(merged.PublicMetadata))
	assert.JSONEq(t, `{"salary_band":3}`, string(merged.PrivateMetadata))

	page, _, err := s.List(ctx, org, &clerk.ListOrganizationMembershipsParams{Roles: []string{"org:admin"}, OrderBy: "+created_at"})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assert.Equal(t, admin, page.Data[0].PublicUserData.UserID)
	assert.Equal(t, jane, page.Data[1].PublicUserData.UserID)

	all, _, err := s.ListForInstance(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(2), all.TotalCount)

	deleted, _, err := s.Delete(ctx, org, jane)
	require.NoError(t, err)
	assert.Equal(t, created.ID, deleted.ID)
	_, _, err = s.Delete(ctx, org, jane)
	assert.ErrorIs(t, err, clerk.ErrNotFound)
}

func TestEndToEndAllPagesThroughThousandsOfMembers(t *testing.T) {
	srv, _, org := newOrg(t)
	const n = 2345
	want := make([]string, n)
	for i := range n {
		want[i] = srv.AddUser(clerktest.User{Username: fmt.Sprintf("user%04d", i)})
		srv.AddMembership(org, want[i], "org:member")
	}
	for _, k := range []int{1, 4} {
		t.Run(fmt.Sprintf("with page concurrency %d", k), func(t *testing.T) {
			client := srv.Client(clerk.WithPageConcurrency(k))
			before := srv.CountRequests("GET", "")
			var got []string
			for m, err := range client.OrganizationMemberships.All(context.Background(), org, &clerk.ListOrganizationMembershipsParams{OrderBy: "+created_at"}) {
				require.NoError(t, err)
				got = append(got, m.PublicUserData.UserID)
			}
			assert.Equal(t, want, got, "every member once, in order")
			assert.Equal(t, 5, srv.CountRequests("GET", "")-before, "pages of 500")
		})
	}
	t.Run("for the whole instance", func(t *testing.T) {
		client := srv.Client()
		count := 0
		for _, err := range client.OrganizationMemberships.AllForInstance(context.Background(), &clerk.ListInstanceOrganizationMembershipsParams{Limit: 500}) {
			require.NoError(t, err)
			count++
		}
		assert.Equal(t, n, count)
	})
}

func TestEndToEndRetriesThroughInjected503s(t *testing.T) {
	srv, client, org := newOrg(t)
	listPath := "/v1/organizations/" + org + "/memberships"
	srv.InjectFault(clerktest.Fault{Method: "GET", Path: listPath, Times: 2, Status: 503})
	_, resp, err := client.OrganizationMemberships.List(context.Background(), org, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	assert.Equal(t, 3, srv.CountRequests("GET", listPath))
}

func TestEndToEndCreateIsRetriedAfter429AndCreatesOnce(t *testing.T) {
	srv, client, org := newOrg(t)
	jane := srv.AddUser(clerktest.User{})
	srv.InjectFault(clerktest.Fault{Method: "POST", Times: 2, Status: 429, Header: http.Header{"Retry-After": {"0"}}})
	m, resp, err := client.OrganizationMemberships.Create(context.Background(), org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member"})
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	page, _, err := client.OrganizationMemberships.List(context.Background(), org, nil)
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	assert.Equal(t, m.ID, page.Data[0].ID)
}

func TestEndToEndCreateIsNotRetriedAfterA503SoItNeverBecomesAlreadyAMember(t *testing.T) {
	srv, client, org := newOrg(t)
	jane := srv.AddUser(clerktest.User{})
	srv.InjectFault(clerktest.Fault{Method: "POST", Status: 503, AfterApplying: true})
	_, resp, err := client.OrganizationMemberships.Create(context.Background(), org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member"})
	assert.ErrorIs(t, err, clerk.ErrServer, "the caller sees the 503, not already_a_member_in_organization")
	assert.Equal(t, 1, resp.Attempts)
	assert.Equal(t, 1, srv.CountRequests("POST", ""))
	page, _, err := client.OrganizationMemberships.List(context.Background(), org, nil)
	require.NoError(t, err)
	assert.Len(t, page.Data, 1, "created exactly once")
}

func TestEndToEndADroppedConnectionIsRetriedForReads(t *testing.T) {
	srv, client, _ := newOrg(t)
	srv.InjectFault(clerktest.Fault{DropConnection: true, Times: 3})
	_, resp, err := client.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, resp.Attempts, 2)
}

func TestEndToEndServerRateLimitIsRiddenOutThroughRetryAfter(t *testing.T) {
	srv, client, _ := newOrg(t)
	srv.SetRateLimit(4, time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := client.OrganizationMemberships.ListForInstance(context.Background(), nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	limited := 0
	for _, r := range srv.Requests() {
		if r.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	assert.GreaterOrEqual(t, limited, 4, "at least the 4 over the limit were answered 429 first")
}

func TestEndToEndCreateIsNotRetriedWhenTheConnectionDropsAfterTheServerActed(t *testing.T) {
	srv, client, org := newOrg(t)
	jane := srv.AddUser(clerktest.User{})
	srv.InjectFault(clerktest.Fault{Method: "POST", DropConnection: true, AfterApplying: true})
	_, resp, err := client.OrganizationMemberships.Create(context.Background(), org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:member"})
	require.Error(t, err, "the answer was lost")
	assert.Nil(t, resp)
	assert.Equal(t, 1, srv.CountRequests("POST", ""), "not retried: the server may have acted, and had")
	page, _, err := client.OrganizationMemberships.List(context.Background(), org, nil)
	require.NoError(t, err)
	assert.Len(t, page.Data, 1, "created exactly once")
}
