package membersync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	clerk "github.com/clerkkit/clerk-go"
)

// inflightGrace is how long a request already sent may go on after the
// caller's context is done. Aborting a request does not stop a server that
// has received it, so an aborted change could take effect after Apply has
// read it back and reported it failed; letting it finish keeps the Report
// exact. Past the grace, calls are aborted and read back.
const inflightGrace = 10 * time.Second

// readBackTimeout bounds a read-back, which runs on a context of its own so
// that a cancel does not keep Apply from learning what a change it sent did.
const readBackTimeout = 10 * time.Second

// Result is the outcome of one change.
type Result struct {
	Change Change
	// Err is nil when the change took effect. Otherwise it says which change
	// failed and why, such as "membersync: remove user_x: clerk: 400 Bad
	// Request: ...", and wraps exactly one of ErrStalePlan, ErrNotStarted,
	// ErrOutcomeUnknown, or the *clerk.APIError or *clerk.ValidationError
	// that refused the change. A change never sent wraps ErrNotStarted
	// together with the cause where that cause holds for it too (ctx.Err()
	// after a cancel); a change held back because a change it depends on
	// failed wraps ErrNotStarted only.
	Err error
}

// Report says what Apply did.
type Report struct {
	// Results holds one Result per change, in plan order.
	Results []Result
	// Applied counts the changes that took effect and Failed the others,
	// those never started included: Applied+Failed == len(Results).
	Applied, Failed int
}

// Apply performs the plan's changes, Options.Concurrency at a time, and
// returns a Report and nil, or a Report and an error joining the failures.
//
// Before sending anything, Apply reads the organization's memberships again
// (with All). A change whose membership differs from what Plan read of it
// (it appeared or went away, or its role or updated_at changed) is not sent:
// its Result wraps ErrStalePlan, unless the membership is already as the
// plan wants it, which counts as applied. A plan made by hand, not by Plan,
// records nothing to compare and is not checked. When that read fails,
// nothing is sent and every Result wraps ErrNotStarted and the read's error.
//
// Changes run in groups of consecutive changes of one sort, one group
// finishing before the next starts: promotions to an admin role; removals
// and other role changes; additions; metadata. A failed change does not stop
// the others, with one exception that keeps an admin at every instant: when
// the plan removes or demotes every admin, and every promotion or addition
// as an admin that was to come first fails, those removals and demotions are
// not sent (ErrNotStarted). A change whose answer is lost (a 5xx, a
// connection dropped after sending), an addition answered "already a
// member" and a removal answered 404 are read back with List, and count as
// applied when the membership is as wanted; when the read-back cannot tell,
// the Result wraps ErrOutcomeUnknown.
//
// Once ctx is done, no further request is sent: a change still waiting for
// the client's rate limiter, or for its turn, is not sent, and its Result
// wraps ErrNotStarted and ctx.Err(). Requests already sent are given up to
// 10 seconds to be answered, since the server may act on a request whatever
// the client does; past that they are aborted. Either way they are read
// back, so that the Report says exactly which changes took effect. The error
// Apply returns then sums up the changes not started in one line rather
// than listing each. Planning again after a failed or cancelled Apply
// finishes the job without duplicates. Apply tells whether a request went
// out from net/http's client trace (net/http/httptrace), which every
// http.RoundTripper built on http.Transport reports.
//
// An invalid plan (nil, without an organization ID, or with a change that
// lacks its kind, user ID or role) is a *clerk.ValidationError, with a nil
// Report; nothing is sent.
func (s *Syncer) Apply(ctx context.Context, plan *Plan) (*Report, error) {
	if err := s.checkOptions(); err != nil {
		return nil, err
	}
	if err := checkPlan(ctx, plan); err != nil {
		return nil, err
	}
	a := &applier{s: s, plan: plan, finished: s.progress()}
	n := len(plan.Changes)
	a.results, a.settled, a.needs = make([]Result, n), make([]bool, n), make([][]int, n)
	for i, c := range plan.Changes {
		a.results[i].Change = c
	}
	if n > 0 && ctx.Err() == nil {
		a.apply(ctx)
	}
	return a.report(ctx)
}

// applier holds one Apply's state. Each change's slots are written by one
// goroutine at a time, and read between groups.
type applier struct {
	s        *Syncer
	plan     *Plan
	admins   map[string]bool
	run      []int   // the group of consecutive changes each change runs in
	needs    [][]int // see depend
	results  []Result
	settled  []bool // the Result is final; otherwise the change was not started
	finished func(Result)
}

// progress returns the function that reports a finished change to
// Options.Progress, one call at a time.
func (s *Syncer) progress() func(Result) {
	var mu sync.Mutex
	return func(r Result) {
		if s.opts.Progress != nil {
			mu.Lock()
			defer mu.Unlock()
			s.opts.Progress(r)
		}
	}
}

// settle records the final outcome of change i.
func (a *applier) settle(i int, err error) {
	a.results[i].Err = err
	a.settled[i] = true
	a.finished(a.results[i])
}

// apply reads the memberships, checks the plan against them and runs the
// groups, one after another, until done or ctx is.
func (a *applier) apply(ctx context.Context) {
	fresh, err := a.s.read(ctx, a.plan.OrganizationID)
	if err != nil {
		if ctx.Err() != nil {
			return // not started, for the cancel
		}
		for i, c := range a.plan.Changes {
			a.settle(i, fmt.Errorf("membersync: %s: %w: %w", describe(c), ErrNotStarted, err))
		}
		return
	}
	a.admins = a.plan.admins
	if a.admins == nil {
		a.admins = a.s.adminSet(fresh)
	}
	a.run = make([]int, len(a.plan.Changes))
	for i := 1; i < len(a.plan.Changes); i++ {
		a.run[i] = a.run[i-1]
		if a.group(a.plan.Changes[i]) != a.group(a.plan.Changes[i-1]) {
			a.run[i]++
		}
	}
	a.checkStale(fresh)
	a.depend(fresh)
	for start := 0; start < len(a.plan.Changes) && ctx.Err() == nil; {
		end := start + 1
		for end < len(a.plan.Changes) && a.run[end] == a.run[start] {
			end++
		}
		a.runGroup(ctx, start, end)
		start = end
	}
}

// read returns the organization's memberships by user ID.
func (s *Syncer) read(ctx context.Context, organizationID string) (map[string]*clerk.OrganizationMembership, error) {
	current := make(map[string]*clerk.OrganizationMembership)
	for m, err := range s.client.OrganizationMemberships.All(ctx, organizationID, nil) {
		if err != nil {
			return nil, fmt.Errorf("membersync: reading the memberships of %s: %w", organizationID, err)
		}
		if m.PublicUserData == nil || m.PublicUserData.UserID == "" {
			return nil, fmt.Errorf("membersync: membership %s of %s names no user (public_user_data.user_id is missing), so it cannot be compared with the desired list", m.ID, organizationID)
		}
		current[m.PublicUserData.UserID] = m
	}
	return current, nil
}

// report fills in the changes never started and counts.
func (a *applier) report(ctx context.Context) (*Report, error) {
	report := &Report{Results: a.results}
	var failures []error
	kept := 0
	for i := range report.Results {
		r := &report.Results[i]
		switch {
		case !a.settled[i]:
			r.Err = notStarted(r.Change, ctx.Err())
			kept++
			report.Failed++
		case r.Err != nil:
			failures = append(failures, r.Err)
			report.Failed++
		default:
			report.Applied++
		}
	}
	if kept > 0 {
		failures = append(failures, fmt.Errorf("membersync: %d of %d changes %w: %w", kept, len(report.Results), ErrNotStarted, ctx.Err()))
	}
	return report, errors.Join(failures...)
}

// notStarted is the error of a change that the end of ctx kept from being
// sent; cause is ctx.Err().
func notStarted(c Change, cause error) error {
	if cause == nil {
		return fmt.Errorf("membersync: %s: %w", describe(c), ErrNotStarted)
	}
	return fmt.Errorf("membersync: %s: %w: %w", describe(c), ErrNotStarted, cause)
}

// checkPlan rejects what Apply cannot perform, before anything is sent.
func checkPlan(ctx context.Context, plan *Plan) error {
	switch {
	case ctx == nil:
		return &clerk.ValidationError{Param: "ctx", Message: "must not be nil; use context.Background()"}
	case plan == nil:
		return &clerk.ValidationError{Param: "plan", Message: "must not be nil; make one with Syncer.Plan"}
	case plan.OrganizationID == "":
		return &clerk.ValidationError{Param: "plan.OrganizationID", Message: "must not be empty"}
	}
	for i, c := range plan.Changes {
		param := func(field string) string { return "plan.Changes[" + strconv.Itoa(i) + "]." + field }
		switch {
		case c.Kind != Add && c.Kind != SetRole && c.Kind != SetMetadata && c.Kind != Remove:
			return &clerk.ValidationError{Param: param("Kind"), Message: "must be add, set_role, set_metadata or remove, got " + strconv.Quote(string(c.Kind))}
		case c.UserID == "":
			return &clerk.ValidationError{Param: param("UserID"), Message: "must not be empty"}
		case c.Role == "" && (c.Kind == Add || c.Kind == SetRole):
			return &clerk.ValidationError{Param: param("Role"), Message: "must not be empty for " + string(c.Kind)}
		}
	}
	return nil
}

// group numbers the sorts of change that Apply runs one after another.
func (a *applier) group(c Change) int {
	switch {
	case c.Kind == SetRole && a.admins[c.Role]:
		return 0
	case c.Kind == Remove || c.Kind == SetRole:
		return 1
	case c.Kind == Add:
		return 2
	}
	return 3
}

// runGroup performs changes start to end-1, up to the Syncer's concurrency
// at once. It starts no change once ctx is done, and returns when every
// change it started has finished.
func (a *applier) runGroup(ctx context.Context, start, end int) {
	var next atomic.Int64
	next.Store(int64(start))
	var wg sync.WaitGroup
	for range min(a.s.concurrency, end-start) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= end {
					return
				}
				if a.settled[i] {
					continue
				}
				if err := a.heldBack(i); err != nil {
					a.settle(i, err)
					continue
				}
				if final, err := a.s.perform(ctx, a.plan.OrganizationID, a.plan.Changes[i]); final {
					a.settle(i, err)
				}
			}
		})
	}
	wg.Wait()
}

// perform makes the calls for c and, when their outcome is in doubt, reads
// the membership back. final is false when ctx ended before a request went
// out: the change is then left for report to mark not started.
func (s *Syncer) perform(ctx context.Context, organizationID string, c Change) (final bool, err error) {
	calls, f, land := fly(ctx, s.grace)
	err = s.call(calls, organizationID, c)
	land()
	if err == nil {
		return true, nil
	}
	var validation *clerk.ValidationError
	if errors.As(err, &validation) {
		return true, fmt.Errorf("membersync: %s: %w", describe(c), err)
	}
	var apiErr *clerk.APIError
	isAPI := errors.As(err, &apiErr)
	began, wrote := f.state()
	switch {
	case isAPI || wrote:
	case ctx.Err() != nil && !began:
		return false, nil
	case began || errors.Is(err, context.DeadlineExceeded):
		// The attempt failed before writing its request (a dial, a limiter
		// wait that would outlast the deadline): nothing went out.
		return true, fmt.Errorf("membersync: %s: %w: %w", describe(c), ErrNotStarted, err)
	}
	if isAPI && !inDoubt(c, apiErr) {
		return true, fmt.Errorf("membersync: %s: %w", describe(c), err)
	}
	asWanted, seen, readErr := s.readBack(ctx, organizationID, c)
	switch {
	case readErr != nil:
		return true, fmt.Errorf("membersync: %s: %w: %v; reading the membership back to see whether the change took effect failed too: %v", describe(c), ErrOutcomeUnknown, err, readErr)
	case asWanted:
		return true, nil
	case isAPI:
		return true, fmt.Errorf("membersync: %s: %w (read back: %s; plan again to retry)", describe(c), err, seen)
	}
	return true, fmt.Errorf("membersync: %s: %w: %v (read back: %s; plan again to retry)", describe(c), ErrOutcomeUnknown, err, seen)
}

// call sends the request that performs c.
func (s *Syncer) call(ctx context.Context, organizationID string, c Change) error {
	ms := s.client.OrganizationMemberships
	var err error
	switch c.Kind {
	case Add:
		_, _, err = ms.Create(ctx, organizationID, clerk.CreateOrganizationMembershipParams{
			UserID: c.UserID, Role: c.Role,
			PublicMetadata: c.Metadata.PublicMetadata, PrivateMetadata: c.Metadata.PrivateMetadata,
		})
	case SetRole:
		_, _, err = ms.Update(ctx, organizationID, c.UserID, clerk.UpdateOrganizationMembershipParams{Role: c.Role})
	case SetMetadata:
		_, _, err = ms.UpdateMetadata(ctx, organizationID, c.UserID, c.Metadata)
	case Remove:
		_, _, err = ms.Delete(ctx, organizationID, c.UserID)
	}
	return err
}

// inDoubt reports whether apiErr leaves open whether c took effect, or says
// that the membership may already be as wanted: a 5xx; "already a member"
// for an addition; 404 for a removal (after a retry, the first attempt may
// have removed it; or someone else did). A 429 and other 4xx answers are
// certain refusals.
func inDoubt(c Change, apiErr *clerk.APIError) bool {
	switch {
	case apiErr.StatusCode >= 500:
		return true
	case c.Kind == Add:
		return apiErr.HasCode("already_a_member_in_organization")
	case c.Kind == Remove:
		return apiErr.StatusCode == 404
	}
	return false
}

// readBack lists the user's membership and reports whether it is as c
// wants; seen describes what was found when it is not. It reads on a
// context of its own, bounded by readBackTimeout, so that a cancel does not
// keep the Report from being exact.
func (s *Syncer) readBack(ctx context.Context, organizationID string, c Change) (asWanted bool, seen string, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readBackTimeout)
	defer cancel()
	page, _, err := s.client.OrganizationMemberships.List(ctx, organizationID,
		&clerk.ListOrganizationMembershipsParams{UserIDs: []string{c.UserID}})
	if err != nil {
		return false, "", err
	}
	var m *clerk.OrganizationMembership
	for _, x := range page.Data {
		if x.PublicUserData != nil && x.PublicUserData.UserID == c.UserID {
			m = x
		}
	}
	if c.Kind == Remove {
		if m != nil {
			return false, "still a member as " + m.Role, nil
		}
		return true, "", nil
	}
	if m == nil {
		return false, "not a member", nil
	}
	if c.Kind != SetMetadata && m.Role != c.Role {
		return false, "a member as " + m.Role + ", not " + c.Role, nil
	}
	if c.Kind == SetRole {
		return true, "", nil
	}
	for _, md := range []struct {
		name   string
		stored []byte
		want   map[string]any
	}{
		{"public_metadata", m.PublicMetadata, c.Metadata.PublicMetadata},
		{"private_metadata", m.PrivateMetadata, c.Metadata.PrivateMetadata},
	} {
		if md.want == nil {
			continue
		}
		stored, err := decodeObject(md.stored)
		if err != nil {
			return false, "", fmt.Errorf("the stored %s %w", md.name, err)
		}
		want, err := toJSON(md.want)
		if err != nil {
			return false, "", fmt.Errorf("the wanted %s %w", md.name, err)
		}
		if c.Kind == Add && !jsonEqual(stored, want) || c.Kind == SetMetadata && !patchHolds(stored, want) {
			return false, "a member as " + m.Role + " whose " + md.name + " differs", nil
		}
	}
	return true, "", nil
}

// describe names a change in errors, such as "remove user_x".
func describe(c Change) string {
	switch c.Kind {
	case Add:
		return "add " + c.UserID
	case SetRole:
		return "set role of " + c.UserID
	case SetMetadata:
		return "set metadata of " + c.UserID
	case Remove:
		return "remove " + c.UserID
	}
	return string(c.Kind) + " " + c.UserID
}
