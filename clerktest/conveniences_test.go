package clerktest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

func TestTheServersClientRetriesWithMillisecondWaits(t *testing.T) {
	srv := clerktest.NewServer()
	t.Cleanup(srv.Close)
	org := srv.AddOrganization("Acme Corp")
	path := "/v1/organizations/" + org + "/memberships"
	srv.InjectFault(clerktest.Fault{Method: "GET", Path: path, Times: 3, Status: 503})

	start := time.Now()
	_, resp, err := srv.Client().OrganizationMemberships.List(ctx, org, nil)
	require.NoError(t, err)
	assert.Equal(t, 4, resp.Attempts, "DefaultRetryPolicy's three retries")
	assert.Less(t, time.Since(start), 400*time.Millisecond, "DefaultRetryPolicy's three waits would take at least 875 ms")
}

func TestOptionsGivenToClientStillWin(t *testing.T) {
	srv := clerktest.NewServer()
	t.Cleanup(srv.Close)
	org := srv.AddOrganization("Acme Corp")
	srv.InjectFault(clerktest.Fault{Method: "GET", Times: 3, Status: 503})
	_, resp, err := srv.Client(clerk.WithRetryPolicy(clerk.RetryPolicy{})).OrganizationMemberships.List(ctx, org, nil)
	require.Error(t, err)
	assert.Equal(t, 1, resp.Attempts)
}

func TestClearFaultsDropsEveryUnusedFault(t *testing.T) {
	f := newFixture(t)
	f.srv.InjectFault(clerktest.Fault{Method: "GET", Times: 5, Status: 503})
	f.srv.InjectFault(clerktest.Fault{Status: 500})
	_, resp, err := f.client.OrganizationMemberships.List(ctx, f.org, nil)
	require.Error(t, err)
	assert.Equal(t, 503, resp.StatusCode)

	f.srv.ClearFaults()
	_, resp, err = f.client.OrganizationMemberships.List(ctx, f.org, nil)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
}

func TestWriteErrorAnswersInClerksErrorShape(t *testing.T) {
	f := newFixture(t)
	f.srv.Handle("GET /v1/organizations/{id}", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		clerktest.WriteError(w, http.StatusForbidden, "authorization_invalid", "not allowed")
	}))
	_, err := f.client.Do(ctx, &clerk.Request{Operation: "GetOrganization", Method: http.MethodGet, Path: "organizations/org_1"}, nil)
	var apiErr *clerk.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusForbidden, apiErr.StatusCode)
	require.Len(t, apiErr.Errors, 1)
	assert.Equal(t, "authorization_invalid", apiErr.Errors[0].Code)
	assert.Equal(t, "not allowed", apiErr.Errors[0].Message)
	assert.NotEmpty(t, apiErr.TraceID)
}
