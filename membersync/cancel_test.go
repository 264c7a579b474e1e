package membersync_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/membersync"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestApplyCancelledSendsNothingMoreNotEvenFromTheLimiterQueue(t *testing.T) {
	names := []string{"ada"}
	for i := range 8 {
		names = append(names, fmt.Sprintf("u%d", i))
	}
	// Two requests a second, one at once: the read, then one add every 500 ms.
	f := newFixture(t, names, clerk.WithRateLimit(2, 1))
	f.member("ada", admin)
	var desired []membersync.Member
	for _, n := range names[1:] {
		desired = append(desired, f.want(n, member))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := membersync.New(f.client, membersync.Options{Progress: func(membersync.Result) { cancel() }})
	plan, err := s.Plan(context.Background(), f.org, desired)
	require.NoError(t, err)
	require.Len(t, plan.Changes, 8)
	before := f.srv.CountRequests(http.MethodPost, "")

	report, err := s.Apply(ctx, plan)

	sent := f.srv.CountRequests(http.MethodPost, "") - before
	assert.Equal(t, 1, sent, "the first add, and none after the cancel")
	assert.Equal(t, 1, report.Applied)
	assert.Equal(t, 7, report.Failed)
	notStarted := 0
	for _, r := range report.Results {
		if r.Err == nil {
			continue
		}
		notStarted++
		assert.ErrorIs(t, r.Err, membersync.ErrNotStarted)
		assert.ErrorIs(t, r.Err, context.Canceled)
		assert.Equal(t, []error{membersync.ErrNotStarted}, kinds(r.Err))
	}
	assert.Equal(t, 7, notStarted)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, membersync.ErrNotStarted)
	assert.Equal(t, "membersync: 7 of 8 changes not started: context canceled", err.Error())
	page, _, err := f.other().OrganizationMemberships.List(context.Background(), f.org, nil)
	require.NoError(t, err)
	assert.Len(t, page.Data, 2, "ada and the one added")
}

func TestApplyCancelledDuringARetryWaitSendsNoRetry(t *testing.T) {
	f := newFixture(t, abc)
	f.members("ada:org:admin", "bob:org:member")
	s := membersync.New(f.client, membersync.Options{})
	plan, err := s.Plan(context.Background(), f.org, []membersync.Member{f.want("bob", admin)})
	require.NoError(t, err)
	// The client waits a second before retrying; the cancel comes first.
	f.srv.InjectFault(clerktest.Fault{Method: http.MethodPatch, Status: 429, Header: http.Header{"Retry-After": {"1"}}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for f.srv.CountRequests(http.MethodPatch, "") == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // the answer has arrived
		cancel()
	}()

	report, err := s.Apply(ctx, plan)

	require.Error(t, err)
	time.Sleep(1200 * time.Millisecond) // past the retry the client would have made
	assert.Equal(t, 1, f.srv.CountRequests(http.MethodPatch, ""), "no retry after the cancel")
	assert.Equal(t, 1, report.Failed)
	assert.ErrorIs(t, report.Results[0].Err, clerk.ErrRateLimited, "refused with the 429 it got")
	assert.Equal(t, []error{&clerk.APIError{}}, kinds(report.Results[0].Err))
	assert.Equal(t, map[string]string{"ada": admin, "bob": member}, f.roles())
}

func TestApplyCancelledLetsAChangeInFlightFinishAndCountsIt(t *testing.T) {
	f := newFixture(t, abc)
	f.member("ada", admin)
	s := membersync.New(f.client, membersync.Options{})
	plan, err := s.Plan(context.Background(), f.org, []membersync.Member{f.want("bob", member)})
	require.NoError(t, err)
	f.srv.InjectFault(clerktest.Fault{Method: http.MethodPost, Delay: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for f.srv.CountRequests(http.MethodPost, "") == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()

	report, err := s.Apply(ctx, plan)

	require.NoError(t, err, "the one change was sent before the cancel and took effect")
	assert.Equal(t, 1, report.Applied)
	assert.Equal(t, 1, f.srv.CountRequests(http.MethodPost, ""))
	assert.Equal(t, map[string]string{"ada": admin, "bob": member}, f.roles())
}
