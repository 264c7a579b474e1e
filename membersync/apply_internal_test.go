package membersync

import (
	"context"
	"net/http"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A change still in flight when the grace after cancellation runs out is
// aborted and read back, so its Result is exact either way.
func TestApplyAbortsChangesInFlightPastTheGraceAndReadsThemBack(t *testing.T) {
	tests := []struct {
		name          string
		afterApplying bool // the server acts before its slow answer
		applied       bool
	}{
		{"a change the server made before the abort is applied", true, true},
		{"a change the server never made is failed", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := clerktest.NewServer()
			defer srv.Close()
			org := srv.AddOrganization("Acme")
			user := srv.AddUser(clerktest.User{Username: "ada"})
			s := New(srv.Client(), Options{})
			s.grace = 50 * time.Millisecond
			plan := &Plan{OrganizationID: org, Changes: []Change{{Kind: Add, UserID: user, Role: clerktest.RoleAdmin}}}
			srv.InjectFault(clerktest.Fault{Method: http.MethodPost, Delay: 5 * time.Second, AfterApplying: tt.afterApplying})
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()

			start := time.Now()
			report, err := s.Apply(ctx, plan)

			assert.Less(t, time.Since(start), 2*time.Second, "aborted, not waited out")
			page, _, listErr := srv.Client().OrganizationMemberships.List(context.Background(), org,
				&clerk.ListOrganizationMembershipsParams{UserIDs: []string{user}})
			require.NoError(t, listErr)
			assert.Len(t, page.Data, map[bool]int{true: 1, false: 0}[tt.applied], "the server's state")
			if tt.applied {
				assert.NoError(t, err)
				assert.Equal(t, 1, report.Applied)
				return
			}
			assert.Equal(t, 1, report.Failed)
			assert.ErrorIs(t, report.Results[0].Err, ErrOutcomeUnknown, "sent, aborted, and not seen to take effect")
			assert.ErrorContains(t, err, "(read back: not a member; plan again to retry)")
		})
	}
}
