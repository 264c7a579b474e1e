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

// inflightGrace is how long changes already sent may go on after the
// caller's context is done. Aborting a request does not stop a server that
// has received it, so an aborted change could take effect after Apply has
// read it back and reported it failed; letting it finish keeps the Report
// exact. Past the grace, calls are aborted and read back.
const inflightGrace = 10 * time.Second

// readBackTimeout bounds a read-back made after the calls' context ended,
// which then runs on a context of its own.
const readBackTimeout = 10 * time.Second

// Result is the outcome of one change.
type Result struct {
	Change Change
	// Err is nil when the change took effect. Otherwise it says which change
	// failed and why, such as "membersync: remove user_x: clerk: 400 Bad
	// Request: ...". A change that a cancelled context kept from starting
	// has an error that says "not started" and wraps the context's error.
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
// Changes run in groups of consecutive changes of one sort, one group
// finishing before the next starts: promotions to Options.AdminRole;
// removals and other role changes; additions; metadata. A failed change
// does not stop the others. A change whose answer is lost (a 5xx, a
// connection dropped after sending, a context cancelled in flight), an
// addition answered "already a member" and a removal answered 404 are read
// back with List, and count as applied when the membership is as wanted.
//
// Cancelling ctx stops new changes at once. Changes already sent are given
// up to 10 seconds to finish, since the server may act on a request whatever
// the client does; past that they are aborted and read back. So the Report
// says exactly which changes took effect. Each change that never started is
// counted as Failed, with an error that says "not started" and wraps
// ctx.Err(); the error Apply returns sums them up in one line rather than
// listing each. Planning again after a failed or cancelled Apply finishes
// the job without duplicates.
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
	changes := plan.Changes
	report := &Report{Results: make([]Result, len(changes))}
	started := make([]bool, len(changes))
	for i, c := range changes {
		report.Results[i].Change = c
	}

	// Calls run on calls, which ends s.grace after ctx does.
	calls, stopCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer stopCalls()
	returned := make(chan struct{})
	defer close(returned)
	go func() {
		select {
		case <-ctx.Done():
		case <-returned:
			return
		}
		grace := time.NewTimer(s.grace)
		defer grace.Stop()
		select {
		case <-grace.C:
			stopCalls()
		case <-returned:
		}
	}()

	var progressMu sync.Mutex
	finished := func(r Result) {
		if s.opts.Progress != nil {
			progressMu.Lock()
			defer progressMu.Unlock()
			s.opts.Progress(r)
		}
	}
	for start := 0; start < len(changes) && ctx.Err() == nil; {
		end := start + 1
		for end < len(changes) && s.group(changes[end]) == s.group(changes[start]) {
			end++
		}
		s.run(ctx, calls, plan.OrganizationID, report.Results[start:end], started[start:end], finished)
		start = end
	}

	var failures []error
	notStarted := 0
	for i := range report.Results {
		r := &report.Results[i]
		switch {
		case !started[i]:
			r.Err = fmt.Errorf("membersync: %s: not started: %w", describe(r.Change), ctx.Err())
			notStarted++
			report.Failed++
		case r.Err != nil:
			failures = append(failures, r.Err)
			report.Failed++
		default:
			report.Applied++
		}
	}
	if notStarted > 0 {
		failures = append(failures, fmt.Errorf("membersync: %d of %d changes not started: %w", notStarted, len(changes), ctx.Err()))
	}
	return report, errors.Join(failures...)
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
func (s *Syncer) group(c Change) int {
	switch {
	case c.Kind == SetRole && c.Role == s.adminRole:
		return 0
	case c.Kind == Remove || c.Kind == SetRole:
		return 1
	case c.Kind == Add:
		return 2
	}
	return 3
}

// run performs one group of changes, up to the Syncer's concurrency at
// once, on the context calls, writing each outcome into results and marking
// it in started. It starts no change once ctx is done, and returns when
// every change it started has finished.
func (s *Syncer) run(ctx, calls context.Context, organizationID string, results []Result, started []bool, finished func(Result)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(s.concurrency, len(results)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(results) {
					return
				}
				started[i] = true
				results[i].Err = s.perform(calls, organizationID, results[i].Change)
				finished(results[i])
			}
		})
	}
	wg.Wait()
}

// perform makes the call for c and, when its outcome is in doubt, reads the
// membership back.
func (s *Syncer) perform(ctx context.Context, organizationID string, c Change) error {
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
	if err == nil {
		return nil
	}
	if !inDoubt(c, err) {
		return fmt.Errorf("membersync: %s: %w", describe(c), err)
	}
	asWanted, seen, readErr := s.readBack(ctx, organizationID, c)
	switch {
	case readErr != nil:
		return fmt.Errorf("membersync: %s: %w; reading the membership back to see whether the change took effect failed too: %w", describe(c), err, readErr)
	case asWanted:
		return nil
	}
	return fmt.Errorf("membersync: %s: %w (read back: %s; plan again to retry)", describe(c), err, seen)
}

// inDoubt reports whether err leaves open whether c took effect, or says
// that the membership may already be as wanted: a 5xx; a failure after the
// request may have been sent (a dropped connection, a cancelled context);
// "already a member" for an addition; 404 for a removal (after a retry, the
// first attempt may have removed it; or someone else did). A validation
// error, a 429 and other 4xx answers are certain refusals.
func inDoubt(c Change, err error) bool {
	var validation *clerk.ValidationError
	if errors.As(err, &validation) {
		return false
	}
	var apiErr *clerk.APIError
	if !errors.As(err, &apiErr) {
		return true
	}
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
// wants; seen describes what was found when it is not. When ctx is done
// (the call was aborted in flight), it reads on a context of its own,
// bounded by readBackTimeout, so that the Report can still be exact.
func (s *Syncer) readBack(ctx context.Context, organizationID string, c Change) (asWanted bool, seen string, err error) {
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), readBackTimeout)
		defer cancel()
	}
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
