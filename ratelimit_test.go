package clerk

import (
	"context"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTheRateLimiterPacesEveryAttemptIncludingRetries(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{status(503), status(503), ok(pageJSON(0))}, WithRateLimit(50, 1))
	start := time.Now()
	_, resp, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	assert.Len(t, api.Requests(), 3)
	assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond, "3 attempts at 50 per second span at least 2 x 20 ms")
}

func TestTheRateLimiterIsSharedByConcurrentCalls(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, WithRateLimit(100, 1))
	start := time.Now()
	done := make(chan error)
	for range 6 {
		go func() {
			_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
			done <- err
		}()
	}
	for range 6 {
		require.NoError(t, <-done)
	}
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "6 calls at 100 per second span at least 5 x 10 ms")
	assert.Len(t, api.Requests(), 6)
}

func TestAWaitForTheRateLimiterBeyondTheDeadlineIsNotStarted(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, WithRateLimit(0.1, 1))
	_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err, "the burst lets the first call through")

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, resp, err := c.OrganizationMemberships.ListForInstance(ctx, nil)
	assert.Less(t, time.Since(start), 500*time.Millisecond, "the 10 s wait is not started")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "waiting for the client-side rate limiter would outlast the context's deadline")
	assert.Nil(t, resp)
	assert.Len(t, api.Requests(), 1, "nothing more was sent")
}

func TestCancellingWhileWaitingForTheRateLimiterReturnsPromptly(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, WithRateLimit(0.1, 1))
	_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	start := time.Now()
	_, _, err = c.OrganizationMemberships.ListForInstance(ctx, nil)
	assert.Less(t, time.Since(start), time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Len(t, api.Requests(), 1)
}
