package membersync_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/membersync"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestApplyRunsEachGroupAfterTheLastOneFinishedAndConverges(t *testing.T) {
	tr := &tracer{}
	f := newFixture(t, abc, clerk.WithHTTPClient(&http.Client{Transport: tr}))
	f.members("ada:org:admin", "bob:org:member", "cal:org:member", "dan:org:member", "eve:org:admin", "fay:org:member")
	fay := f.want("fay", member)
	fay.PublicMetadata = map[string]any{"team": "core"}
	hal := f.want("hal", member)
	hal.PrivateMetadata = map[string]any{"badge": 7}
	desired := []membersync.Member{f.want("ada", admin), f.want("bob", admin), f.want("cal", admin), f.want("eve", member), fay, f.want("gus", member), hal}
	s := membersync.New(f.client, membersync.Options{Prune: true})
	plan, err := s.Plan(context.Background(), f.org, desired)
	require.NoError(t, err)
	require.Equal(t, ""+
		"~ set role of bob: org:member -> org:admin\n"+
		"~ set role of cal: org:member -> org:admin\n"+
		"- remove dan (org:member)\n"+
		"~ set role of eve: org:admin -> org:member\n"+
		"+ add gus as org:member\n"+
		"+ add hal as org:member (private_metadata sets badge)\n"+
		"~ set metadata of fay: public_metadata sets team\n"+
		"2 to add, 4 to change, 1 to remove", f.named(plan.String()))

	// Slow answers to the first group's requests: a later group starting
	// before they end would show as an overlap.
	f.srv.InjectFault(clerktest.Fault{Method: http.MethodPatch, Times: 2, Delay: 30 * time.Millisecond})
	f.srv.InjectFault(clerktest.Fault{Method: http.MethodDelete, Delay: 30 * time.Millisecond})
	f.srv.InjectFault(clerktest.Fault{Method: http.MethodPost, Times: 2, Delay: 30 * time.Millisecond})
	before := len(f.srv.Requests())
	report, err := s.Apply(context.Background(), plan)
	require.NoError(t, err)
	assert.Equal(t, 7, report.Applied)
	assert.Zero(t, report.Failed)

	assert.Empty(t, tr.groupsOverlap())
	var order []int
	for _, r := range f.requestsSince(before) {
		order = append(order, groupOf(r.Method, r.Path, r.Body))
	}
	assert.Equal(t, []int{-1, 0, 1, 2, 3}, slices.Compact(order), "the memberships read again, then promotions, then removals and role changes, then adds, then metadata")
	assert.Equal(t, map[string]string{"ada": admin, "bob": admin, "cal": admin, "eve": member, "fay": member, "gus": member, "hal": member}, f.roles())
	assert.Equal(t, `{"team":"core"}`, f.publicMetadata("fay"))

	again, err := s.Plan(context.Background(), f.org, desired)
	require.NoError(t, err)
	assert.True(t, again.Empty(), again.String())
	assert.Equal(t, 7, again.Unchanged)
}

func TestApplySendsAtMostConcurrencyChangesAtOnce(t *testing.T) {
	for _, tt := range []struct{ concurrency, want int }{{3, 3}, {0, 8}, {1, 1}} {
		t.Run(fmt.Sprintf("Concurrency %d sends %d at once", tt.concurrency, tt.want), func(t *testing.T) {
			t.Parallel()
			tr := &tracer{}
			names := make([]string, 10)
			for i := range names {
				names[i] = fmt.Sprintf("u%02d", i)
			}
			f := newFixture(t, names, clerk.WithHTTPClient(&http.Client{Transport: tr}))
			var desired []membersync.Member
			for _, n := range names {
				desired = append(desired, f.want(n, member))
			}
			s := membersync.New(f.client, membersync.Options{Concurrency: tt.concurrency})
			plan, err := s.Plan(context.Background(), f.org, desired)
			require.NoError(t, err)
			// Answers slow enough for every worker to have started before the first returns.
			f.srv.InjectFault(clerktest.Fault{Method: http.MethodPost, Times: 10, Delay: 40 * time.Millisecond})
			report, err := s.Apply(context.Background(), plan)
			require.NoError(t, err)
			assert.Equal(t, 10, report.Applied)
			assert.Equal(t, tt.want, tr.mostInFlight())
		})
	}
}

func TestApplyCallsProgressOncePerChangeNeverTwoAtOnce(t *testing.T) {
	f := newFixture(t, abc)
	f.members("ada:org:admin", "bob:org:member", "cal:org:member")
	var (
		mu      sync.Mutex
		seen    []membersync.Change
		inside  atomic.Int32
		overlap atomic.Bool
	)
	s := membersync.New(f.client, membersync.Options{Prune: true, Progress: func(r membersync.Result) {
		if inside.Add(1) > 1 {
			overlap.Store(true)
		}
		time.Sleep(time.Millisecond)
		mu.Lock()
		seen = append(seen, r.Change)
		mu.Unlock()
		inside.Add(-1)
	}})
	plan, err := s.Plan(context.Background(), f.org, []membersync.Member{
		f.want("ada", admin), f.want("bob", admin), f.want("dan", member), f.want("eve", member), f.want("fay", member)})
	require.NoError(t, err)
	require.Len(t, plan.Changes, 5)
	_, err = s.Apply(context.Background(), plan)
	require.NoError(t, err)
	assert.ElementsMatch(t, plan.Changes, seen)
	assert.False(t, overlap.Load(), "Progress calls overlapped")
}

func TestApplyFaults(t *testing.T) {
	type want struct {
		applied, failed int
		err             string         // the whole error, IDs named and trace IDs removed; "" with none
		errParts        []string       // or parts of it, when the rest varies
		is              error          // an error the failure must match
		requests        map[string]int // requests Apply sent, by method; "READ" counts read-backs
		roles           map[string]string
	}
	tests := []struct {
		name    string
		members []string
		prune   bool
		desired func(f *fixture) []membersync.Member
		between func(f *fixture) // after Plan, before Apply
		fault   clerktest.Fault
		want    want
	}{
		{
			name:    "a 503 on a role change is retried by the client and applied",
			members: []string{"ada:org:admin", "bob:org:member"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("bob", admin)} },
			fault:   clerktest.Fault{Method: http.MethodPatch, Status: 503},
			want: want{applied: 1, requests: map[string]int{"GET": 1, "PATCH": 2},
				roles: map[string]string{"ada": admin, "bob": admin}},
		},
		{
			name:    "an add whose answer is lost is read back and counted applied, never sent twice",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("cal", member)} },
			fault:   clerktest.Fault{Method: http.MethodPost, Status: 503, AfterApplying: true},
			want: want{applied: 1, requests: map[string]int{"GET": 1, "POST": 1, "READ": 1},
				roles: map[string]string{"ada": admin, "cal": member}},
		},
		{
			name:    "an add refused with a 503 before it acted fails after reading back",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("cal", member)} },
			fault:   clerktest.Fault{Method: http.MethodPost, Status: 503},
			want: want{failed: 1, is: clerk.ErrServer,
				err:      "membersync: add cal: clerk: 503 Service Unavailable: internal_clerk_error: Oops, an unexpected error occurred (read back: not a member; plan again to retry)",
				requests: map[string]int{"GET": 1, "POST": 1, "READ": 1}, roles: map[string]string{"ada": admin}},
		},
		{
			name:    "an add answered already a member is read back and counted applied",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("cal", member)} },
			between: func(f *fixture) { f.member("cal", member) },
			want: want{applied: 1, requests: map[string]int{"GET": 1, "POST": 1, "READ": 1},
				roles: map[string]string{"ada": admin, "cal": member}},
		},
		{
			name:    "an add answered already a member with another role fails and says so",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("cal", member)} },
			between: func(f *fixture) { f.member("cal", admin) },
			want: want{failed: 1, is: clerk.ErrBadRequest,
				err:      "membersync: add cal: clerk: 400 Bad Request: already_a_member_in_organization: cal is already a member of the organization. (read back: a member as org:admin, not org:member; plan again to retry)",
				requests: map[string]int{"GET": 1, "POST": 1, "READ": 1}, roles: map[string]string{"ada": admin, "cal": admin}},
		},
		{
			name:    "an add with metadata answered already a member without it fails and says so",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member {
				cal := f.want("cal", member)
				cal.PublicMetadata = map[string]any{"team": "core"}
				return []membersync.Member{cal}
			},
			between: func(f *fixture) { f.member("cal", member) },
			want: want{failed: 1, is: clerk.ErrBadRequest,
				err:      "membersync: add cal: clerk: 400 Bad Request: already_a_member_in_organization: cal is already a member of the organization. (read back: a member as org:member whose public_metadata differs; plan again to retry)",
				requests: map[string]int{"GET": 1, "POST": 1, "READ": 1}, roles: map[string]string{"ada": admin, "cal": member}},
		},
		{
			name:    "a connection dropped after the add acted is read back and counted applied",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("cal", member)} },
			fault:   clerktest.Fault{Method: http.MethodPost, DropConnection: true, AfterApplying: true},
			want: want{applied: 1, requests: map[string]int{"GET": 1, "POST": 1, "READ": 1},
				roles: map[string]string{"ada": admin, "cal": member}},
		},
		{
			name:    "a connection dropped before the add acted fails after reading back",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("cal", member)} },
			fault:   clerktest.Fault{Method: http.MethodPost, DropConnection: true},
			want: want{failed: 1,
				is:       membersync.ErrOutcomeUnknown,
				errParts: []string{"membersync: add cal: outcome unknown: clerk: CreateOrganizationMembership: Post ", "(read back: not a member; plan again to retry)"},
				requests: map[string]int{"GET": 1, "POST": 1, "READ": 1}, roles: map[string]string{"ada": admin}},
		},
		{
			name:    "a 429 with Retry-After is waited out and the add applied",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("cal", member)} },
			fault:   clerktest.Fault{Method: http.MethodPost, Status: 429, Header: http.Header{"Retry-After": {"1"}}},
			want: want{applied: 1, requests: map[string]int{"GET": 1, "POST": 2},
				roles: map[string]string{"ada": admin, "cal": member}},
		},
		{
			name:    "a 429 asking for a longer wait than MaxWait fails without a read-back",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("cal", member)} },
			fault:   clerktest.Fault{Method: http.MethodPost, Status: 429, Header: http.Header{"Retry-After": {"60"}}},
			want: want{failed: 1, is: clerk.ErrRateLimited,
				err:      "membersync: add cal: clerk: 429 Too Many Requests: too_many_requests: Too many requests, retry later (retry after 1m0s)",
				requests: map[string]int{"GET": 1, "POST": 1}, roles: map[string]string{"ada": admin}},
		},
		{
			name:    "a removal whose answer was lost is retried, answered 404 and counted applied",
			members: []string{"ada:org:admin", "bob:org:member"},
			prune:   true,
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("ada", admin)} },
			fault:   clerktest.Fault{Method: http.MethodDelete, Status: 503, AfterApplying: true},
			want: want{applied: 1, requests: map[string]int{"GET": 1, "DELETE": 2, "READ": 1},
				roles: map[string]string{"ada": admin}},
		},
		{
			name:    "a removal of a member someone else removed is counted applied",
			members: []string{"ada:org:admin", "bob:org:member"},
			prune:   true,
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("ada", admin)} },
			between: func(f *fixture) { f.delete("bob") },
			want: want{applied: 1, requests: map[string]int{"GET": 1, "DELETE": 1, "READ": 1},
				roles: map[string]string{"ada": admin}},
		},
		{
			name:    "a metadata change whose every answer is lost is read back and counted applied",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member {
				ada := f.want("ada", admin)
				ada.PublicMetadata = map[string]any{"team": "core"}
				return []membersync.Member{ada}
			},
			fault: clerktest.Fault{Method: http.MethodPatch, Status: 502, Times: 3, AfterApplying: true},
			want: want{applied: 1, requests: map[string]int{"GET": 1, "PATCH": 3, "READ": 1},
				roles: map[string]string{"ada": admin}},
		},
		{
			name:    "a metadata change refused with 502s before it acted fails after reading back",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member {
				ada := f.want("ada", admin)
				ada.PublicMetadata = map[string]any{"team": "core"}
				return []membersync.Member{ada}
			},
			fault: clerktest.Fault{Method: http.MethodPatch, Status: 502, Times: 3},
			want: want{failed: 1, is: clerk.ErrServer,
				err:      "membersync: set metadata of ada: clerk: 502 Bad Gateway: internal_clerk_error: Oops, an unexpected error occurred (read back: a member as org:admin whose public_metadata differs; plan again to retry)",
				requests: map[string]int{"GET": 1, "PATCH": 3, "READ": 1}, roles: map[string]string{"ada": admin}},
		},
		{
			name:    "a role change for a member someone else removed fails without a read-back",
			members: []string{"ada:org:admin", "bob:org:member"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("bob", admin)} },
			between: func(f *fixture) { f.delete("bob") },
			want: want{failed: 1, is: clerk.ErrNotFound,
				err:      "membersync: set role of bob: clerk: 404 Not Found: resource_not_found: Given organization membership not found.",
				requests: map[string]int{"GET": 1, "PATCH": 1}, roles: map[string]string{"ada": admin}},
		},
		{
			name:    "Clerk refusing to remove the last admin fails that change and applies the others",
			members: []string{"ada:org:admin", "bob:org:admin", "cal:org:member"},
			prune:   true,
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("bob", admin), f.want("cal", member), f.want("dan", member)}
			},
			between: func(f *fixture) { f.delete("bob") }, // now ada is the last admin
			want: want{applied: 1, failed: 1, is: clerk.ErrBadRequest,
				err:      "membersync: remove ada: clerk: 400 Bad Request: organization_minimum_permissions_needed: There has to be at least one organization member with the minimum required permissions",
				requests: map[string]int{"GET": 1, "DELETE": 1, "POST": 1}, roles: map[string]string{"ada": admin, "cal": member, "dan": member}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, abc)
			f.members(tt.members...)
			s := membersync.New(f.client, membersync.Options{Prune: tt.prune})
			plan, err := s.Plan(context.Background(), f.org, tt.desired(f))
			require.NoError(t, err)
			if tt.between != nil {
				// Someone else changes the organization. Apply would refuse
				// the plan as stale; a plan made by hand is not checked, so
				// that the change reaches the server.
				tt.between(f)
				plan = &membersync.Plan{OrganizationID: plan.OrganizationID, Changes: plan.Changes}
			}
			if tt.fault.Method != "" {
				f.srv.InjectFault(tt.fault)
			}
			before := len(f.srv.Requests())

			report, err := s.Apply(context.Background(), plan)

			assert.Equal(t, tt.want.applied, report.Applied, "applied")
			assert.Equal(t, tt.want.failed, report.Failed, "failed")
			require.Len(t, report.Results, len(plan.Changes))
			switch {
			case tt.want.err != "":
				require.Error(t, err)
				assert.Equal(t, tt.want.err, f.named(stripTrace(err.Error())))
			case tt.want.errParts != nil:
				require.Error(t, err)
				for _, p := range tt.want.errParts {
					assert.Contains(t, f.named(err.Error()), p)
				}
			default:
				assert.NoError(t, err)
			}
			if tt.want.is != nil {
				assert.ErrorIs(t, err, tt.want.is)
			}
			for i, r := range report.Results {
				assert.Equal(t, plan.Changes[i], r.Change, "results are in plan order")
				if r.Err != nil {
					assert.ErrorContains(t, err, r.Err.Error(), "Apply's error holds every failure")
				}
			}
			assert.Equal(t, tt.want.requests, countByMethod(f.requestsSince(before)))
			assert.Equal(t, tt.want.roles, f.roles())
		})
	}
}

// delete removes name's membership through the API, as someone else would.
func (f *fixture) delete(name string) {
	f.t.Helper()
	_, _, err := f.client.OrganizationMemberships.Delete(context.Background(), f.org, f.id[name])
	require.NoError(f.t, err)
}

// countByMethod counts requests by method; GETs filtered by user_id are
// read-backs, counted as "READ".
func countByMethod(reqs []clerktest.Request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		if r.Method == http.MethodGet && r.Query.Has("user_id") {
			out["READ"]++
		} else {
			out[r.Method]++
		}
	}
	return out
}

func TestApplyJoinsEveryFailureAndAppliesTheRest(t *testing.T) {
	f := newFixture(t, abc)
	f.members("ada:org:admin", "bob:org:member")
	plan := &membersync.Plan{OrganizationID: f.org, Changes: []membersync.Change{
		{Kind: membersync.Add, UserID: "user_unknown1", Role: member},
		{Kind: membersync.Add, UserID: f.id["cal"], Role: "org:nonsense"},
		{Kind: membersync.Add, UserID: f.id["dan"], Role: member},
		{Kind: membersync.SetMetadata, UserID: f.id["bob"], Metadata: clerk.UpdateOrganizationMembershipMetadataParams{
			PublicMetadata: map[string]any{"team": "core"}}},
	}}
	report, err := membersync.New(f.client, membersync.Options{}).Apply(context.Background(), plan)
	assert.Equal(t, 2, report.Applied)
	assert.Equal(t, 2, report.Failed)
	assert.Equal(t, ""+
		"membersync: add user_unknown1: clerk: 404 Not Found: resource_not_found: No user was found with id user_unknown1.\n"+
		"membersync: add cal: clerk: 422 Unprocessable Entity: form_param_value_invalid: role must be one of the roles of this instance, got org:nonsense.",
		f.named(stripTrace(err.Error())))
	assert.ErrorIs(t, err, clerk.ErrNotFound)
	assert.ErrorIs(t, err, clerk.ErrUnprocessable)
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "an errors.Join")
	assert.Len(t, joined.Unwrap(), 2)
	assert.NoError(t, report.Results[2].Err)
	assert.NoError(t, report.Results[3].Err)
	assert.Equal(t, map[string]string{"ada": admin, "bob": member, "dan": member}, f.roles())
	assert.Equal(t, `{"team":"core"}`, f.publicMetadata("bob"))
}

func TestApplyCancelledMidwayReportsExactlyWhatWasAppliedAndAFreshPlanFinishes(t *testing.T) {
	const n = 30
	names := []string{"ada"}
	for i := range n {
		names = append(names, fmt.Sprintf("u%02d", i))
	}
	f := newFixture(t, names)
	f.member("ada", admin)
	desired := []membersync.Member{f.want("ada", admin)}
	for _, name := range names[1:] {
		desired = append(desired, f.want(name, member))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	progress := 0
	s := membersync.New(f.client, membersync.Options{Concurrency: 4, Progress: func(membersync.Result) {
		if progress++; progress == 10 {
			cancel()
		}
	}})
	plan, err := s.Plan(context.Background(), f.org, desired)
	require.NoError(t, err)
	require.Len(t, plan.Changes, n)
	// Slow answers, so that changes are in flight when the context ends.
	f.srv.InjectFault(clerktest.Fault{Method: http.MethodPost, Times: n, Delay: 5 * time.Millisecond})

	report, err := s.Apply(ctx, plan)

	require.Len(t, report.Results, n)
	assert.Equal(t, n, report.Applied+report.Failed)
	assert.GreaterOrEqual(t, report.Applied, 10)
	assert.LessOrEqual(t, report.Applied, 10+3, "at most the 3 others in flight finish after the cancel")
	assert.Equal(t, report.Applied, progress, "every started change finished and was reported")
	roles := f.roles()
	for i, r := range report.Results {
		assert.Equal(t, plan.Changes[i], r.Change)
		_, isMember := roles[f.name[r.Change.UserID]]
		if r.Err == nil {
			assert.True(t, isMember, "result %d says applied", i)
		} else {
			assert.False(t, isMember, "result %d says failed", i)
			assert.ErrorIs(t, r.Err, context.Canceled)
			assert.Equal(t, "membersync: add "+f.name[r.Change.UserID]+": not started: context canceled", f.named(r.Err.Error()))
		}
	}
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, fmt.Sprintf("membersync: %d of %d changes not started: context canceled", report.Failed, n), err.Error())

	s = membersync.New(f.client, membersync.Options{})
	rest, err := s.Plan(context.Background(), f.org, desired)
	require.NoError(t, err)
	assert.Len(t, rest.Changes, report.Failed, "the fresh plan holds exactly what was not applied")
	final, err := s.Apply(context.Background(), rest)
	require.NoError(t, err)
	assert.Equal(t, report.Failed, final.Applied)

	assert.Len(t, f.roles(), n+1)
	assert.Equal(t, n, f.srv.CountRequests(http.MethodPost, ""), "one create per user, none twice")
	for _, r := range f.srv.Requests() {
		assert.NotEqual(t, http.StatusBadRequest, r.Status, "no create was answered already a member")
	}
}

func TestApplyWithAContextAlreadyCancelledStartsNothing(t *testing.T) {
	f := newFixture(t, abc)
	f.member("ada", admin)
	called := false
	s := membersync.New(f.client, membersync.Options{Progress: func(membersync.Result) { called = true }})
	plan, err := s.Plan(context.Background(), f.org, []membersync.Member{f.want("bob", member), f.want("cal", member)})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := len(f.srv.Requests())

	report, err := s.Apply(ctx, plan)

	assert.Equal(t, "membersync: 2 of 2 changes not started: context canceled", err.Error())
	assert.Equal(t, 0, report.Applied)
	assert.Equal(t, 2, report.Failed)
	assert.Len(t, f.requestsSince(before), 0)
	assert.False(t, called)
}

func TestApplyRejectsAnInvalidPlanWithoutSendingAnything(t *testing.T) {
	tests := []struct {
		name  string
		plan  *membersync.Plan
		param string
	}{
		{"a nil plan", nil, "plan"},
		{"a plan without an organization", &membersync.Plan{}, "plan.OrganizationID"},
		{"a change of an unknown kind", &membersync.Plan{OrganizationID: "org_1", Changes: []membersync.Change{
			{Kind: membersync.Remove, UserID: "user_1"}, {Kind: "rename", UserID: "user_2"}}}, "plan.Changes[1].Kind"},
		{"a change without a user", &membersync.Plan{OrganizationID: "org_1", Changes: []membersync.Change{
			{Kind: membersync.Remove}}}, "plan.Changes[0].UserID"},
		{"an add without a role", &membersync.Plan{OrganizationID: "org_1", Changes: []membersync.Change{
			{Kind: membersync.Add, UserID: "user_1"}}}, "plan.Changes[0].Role"},
	}
	for _, tt := range tests {
		t.Run("Apply rejects "+tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			report, err := membersync.New(f.client, membersync.Options{}).Apply(context.Background(), tt.plan)
			assert.Nil(t, report)
			var verr *clerk.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.param, verr.Param)
			assert.Zero(t, f.srv.CountRequests("", ""))
		})
	}
}
