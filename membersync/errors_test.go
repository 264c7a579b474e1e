package membersync_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/membersync"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryFailedResultWrapsExactlyOneKindOfFailure(t *testing.T) {
	passThrough := clerktest.Fault{Method: http.MethodGet, Delay: time.Nanosecond} // the read before sending
	tests := []struct {
		name    string
		change  func(f *fixture) membersync.Change
		faults  []clerktest.Fault
		kind    error
		cause   error // also wrapped, with ErrNotStarted
		message string
	}{
		{
			name: "a change Clerk refuses wraps its *clerk.APIError",
			change: func(f *fixture) membersync.Change {
				return membersync.Change{Kind: membersync.Add, UserID: "user_unknown", Role: member}
			},
			kind:    &clerk.APIError{},
			message: "membersync: add user_unknown: clerk: 404 Not Found: resource_not_found: No user was found with id user_unknown.",
		},
		{
			name: "a change the client refuses to send wraps its *clerk.ValidationError",
			change: func(f *fixture) membersync.Change {
				return membersync.Change{Kind: membersync.SetRole, UserID: "..", Role: member}
			},
			kind:    &clerk.ValidationError{},
			message: "membersync: set role of ..: clerk: invalid user_id: must not be \"..\"",
		},
		{
			name: "a change whose answer was lost and whose read-back failed is ErrOutcomeUnknown",
			change: func(f *fixture) membersync.Change {
				return membersync.Change{Kind: membersync.Add, UserID: f.id["bob"], Role: member}
			},
			faults:  []clerktest.Fault{passThrough, {Method: http.MethodPost, DropConnection: true}, {Method: http.MethodGet, Status: http.StatusForbidden}},
			kind:    membersync.ErrOutcomeUnknown,
			message: "reading the membership back to see whether the change took effect failed too: clerk: 403 Forbidden",
		},
		{
			name: "a change whose answer was lost and that the read-back does not show is ErrOutcomeUnknown",
			change: func(f *fixture) membersync.Change {
				return membersync.Change{Kind: membersync.Add, UserID: f.id["bob"], Role: member}
			},
			faults:  []clerktest.Fault{{Method: http.MethodPost, DropConnection: true}},
			kind:    membersync.ErrOutcomeUnknown,
			message: "(read back: not a member; plan again to retry)",
		},
		{
			name: "a change never sent because the read before sending failed wraps ErrNotStarted and that error",
			change: func(f *fixture) membersync.Change {
				return membersync.Change{Kind: membersync.Add, UserID: f.id["bob"], Role: member}
			},
			faults:  []clerktest.Fault{{Method: http.MethodGet, Status: http.StatusForbidden}},
			kind:    membersync.ErrNotStarted,
			cause:   clerk.ErrForbidden,
			message: "membersync: add bob: not started: membersync: reading the memberships of ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, abc)
			f.member("ada", admin)
			for _, fault := range tt.faults {
				f.srv.InjectFault(fault)
			}
			plan := &membersync.Plan{OrganizationID: f.org, Changes: []membersync.Change{tt.change(f)}}

			report, err := membersync.New(f.client, membersync.Options{}).Apply(context.Background(), plan)

			require.Error(t, err)
			require.Equal(t, 1, report.Failed)
			got := report.Results[0].Err
			assert.Contains(t, f.named(got.Error()), tt.message)
			if tt.cause != nil {
				assert.ErrorIs(t, got, tt.cause)
				assert.Equal(t, []error{tt.kind, &clerk.APIError{}}, kinds(got), "ErrNotStarted and its cause")
				return
			}
			assert.Equal(t, []error{tt.kind}, kinds(got))
		})
	}
}
