package membersync_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/clerkkit/clerk-go/membersync"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlanLimitsRemovals(t *testing.T) {
	tests := []struct {
		name        string
		members     int
		maxRemovals int
		refused     bool
		message     string
	}{
		{name: "the zero value refuses an empty list against 11 members", members: 11, refused: true,
			message: "membersync: the plan would remove more members than Options.MaxRemovals allows: it would remove 11 members and Options.MaxRemovals allows 10 (DefaultMaxRemovals, as Options.MaxRemovals is 0); check that the desired list is complete, or raise Options.MaxRemovals (a negative value means no limit)"},
		{name: "the zero value allows DefaultMaxRemovals", members: membersync.DefaultMaxRemovals},
		{name: "a limit of 3 refuses 4", members: 4, maxRemovals: 3, refused: true,
			message: "membersync: the plan would remove more members than Options.MaxRemovals allows: it would remove 4 members and Options.MaxRemovals allows 3; check that the desired list is complete, or raise Options.MaxRemovals (a negative value means no limit)"},
		{name: "a negative limit allows any number", members: 11, maxRemovals: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names := make([]string, tt.members)
			for i := range names {
				names[i] = fmt.Sprintf("u%02d", i)
			}
			f := newFixture(t, names)
			for _, n := range names {
				f.member(n, member)
			}
			plan, err := membersync.New(f.client, membersync.Options{Prune: true, MaxRemovals: tt.maxRemovals}).
				Plan(context.Background(), f.org, nil)
			if tt.refused {
				assert.Nil(t, plan)
				require.ErrorIs(t, err, membersync.ErrTooManyRemovals)
				assert.Equal(t, tt.message, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Len(t, plan.Changes, tt.members)
		})
	}
}
