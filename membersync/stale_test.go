package membersync_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/membersync"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// other is a second writer: its own client of the same server.
func (f *fixture) other() *clerk.Client { return f.srv.Client() }

func TestApplyRefusesAChangeWhoseMembershipChangedSincePlanRead(t *testing.T) {
	tests := []struct {
		name    string
		members []string
		prune   bool
		desired func(f *fixture) []membersync.Member
		between func(f *fixture) // another writer, after Plan
		stale   bool             // false: already as wanted, counted applied
		roles   map[string]string
		team    string // bob's public metadata afterwards, when checked
	}{
		{
			name:    "a metadata change is not sent over another writer's metadata",
			members: []string{"ada:org:admin", "bob:org:member"},
			desired: func(f *fixture) []membersync.Member {
				bob := f.want("bob", member)
				bob.PublicMetadata = map[string]any{"team": "core"}
				return []membersync.Member{bob}
			},
			between: func(f *fixture) {
				_, _, err := f.other().OrganizationMemberships.UpdateMetadata(context.Background(), f.org, f.id["bob"],
					clerk.UpdateOrganizationMembershipMetadataParams{PublicMetadata: map[string]any{"team": "infra", "since": 2024}})
				require.NoError(f.t, err)
			},
			stale: true, roles: map[string]string{"ada": admin, "bob": member}, team: `{"since":2024,"team":"infra"}`,
		},
		{
			name:    "a metadata change another writer already made is counted applied",
			members: []string{"ada:org:admin", "bob:org:member"},
			desired: func(f *fixture) []membersync.Member {
				bob := f.want("bob", member)
				bob.PublicMetadata = map[string]any{"team": "core"}
				return []membersync.Member{bob}
			},
			between: func(f *fixture) {
				_, _, err := f.other().OrganizationMemberships.UpdateMetadata(context.Background(), f.org, f.id["bob"],
					clerk.UpdateOrganizationMembershipMetadataParams{PublicMetadata: map[string]any{"team": "core"}})
				require.NoError(f.t, err)
			},
			roles: map[string]string{"ada": admin, "bob": member}, team: `{"team":"core"}`,
		},
		{
			name:    "an add of a user another writer added with another role is stale",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("bob", member)} },
			between: func(f *fixture) { f.member("bob", admin) },
			stale:   true, roles: map[string]string{"ada": admin, "bob": admin},
		},
		{
			name:    "an add another writer already made is counted applied",
			members: []string{"ada:org:admin"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("bob", member)} },
			between: func(f *fixture) { f.member("bob", member) },
			roles:   map[string]string{"ada": admin, "bob": member},
		},
		{
			name:    "a removal of a member another writer removed is counted applied",
			members: []string{"ada:org:admin", "bob:org:member"},
			prune:   true,
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("ada", admin)} },
			between: func(f *fixture) { f.delete("bob") },
			roles:   map[string]string{"ada": admin},
		},
		{
			name:    "a removal of a member another writer promoted is stale",
			members: []string{"ada:org:admin", "bob:org:member"},
			prune:   true,
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("ada", admin)} },
			between: func(f *fixture) { f.setRole("bob", admin) },
			stale:   true, roles: map[string]string{"ada": admin, "bob": admin},
		},
		{
			name:    "a role change for a member another writer removed is stale",
			members: []string{"ada:org:admin", "bob:org:member"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("bob", admin)} },
			between: func(f *fixture) { f.delete("bob") },
			stale:   true, roles: map[string]string{"ada": admin},
		},
		{
			name:    "a role change another writer made along with metadata the list disagrees with is stale",
			members: []string{"ada:org:admin", "bob:org:member"},
			desired: func(f *fixture) []membersync.Member {
				bob := f.want("bob", admin)
				bob.PublicMetadata = map[string]any{}
				return []membersync.Member{bob}
			},
			between: func(f *fixture) {
				f.setRole("bob", admin)
				f.setMetadata("bob", map[string]any{"team": "infra"}, nil)
			},
			stale: true, roles: map[string]string{"ada": admin, "bob": admin}, team: `{"team":"infra"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, abc)
			f.members(tt.members...)
			s := membersync.New(f.client, membersync.Options{Prune: tt.prune})
			desired := tt.desired(f)
			plan, err := s.Plan(context.Background(), f.org, desired)
			require.NoError(t, err)
			require.Len(t, plan.Changes, 1)
			tt.between(f)
			before := len(f.srv.Requests())

			report, err := s.Apply(context.Background(), plan)

			assert.Equal(t, map[string]int{"GET": 1}, countByMethod(f.requestsSince(before)), "nothing sent but the read")
			assert.Equal(t, tt.roles, f.roles())
			if tt.team != "" {
				assert.Equal(t, tt.team, f.publicMetadata("bob"), "the other writer's metadata")
			}
			if !tt.stale {
				require.NoError(t, err)
				assert.Equal(t, 1, report.Applied)
				again, err := s.Plan(context.Background(), f.org, desired)
				require.NoError(t, err)
				assert.True(t, again.Empty(), "convergence: %s", again)
				return
			}
			assert.Equal(t, 1, report.Failed)
			assert.ErrorIs(t, report.Results[0].Err, membersync.ErrStalePlan)
			assert.Equal(t, []error{membersync.ErrStalePlan}, kinds(report.Results[0].Err), "exactly one kind")
			require.ErrorIs(t, err, membersync.ErrStalePlan)
			assert.Contains(t, err.Error(), "the membership changed after Plan read it")
		})
	}
}

func TestApplyChecksOnlyTheMembershipsItChanges(t *testing.T) {
	f := newFixture(t, abc)
	f.members("ada:org:admin", "bob:org:member", "cal:org:member")
	desired := []membersync.Member{f.want("ada", admin), f.want("bob", admin), f.want("cal", member)}
	s := membersync.New(f.client, membersync.Options{})
	plan, err := s.Plan(context.Background(), f.org, desired)
	require.NoError(t, err)
	f.setMetadata("cal", map[string]any{"note": "someone else"}, nil)
	before := len(f.srv.Requests())

	report, err := s.Apply(context.Background(), plan)

	require.NoError(t, err)
	assert.Equal(t, 1, report.Applied)
	assert.Equal(t, map[string]int{"GET": 1, http.MethodPatch: 1}, countByMethod(f.requestsSince(before)))
	assert.Equal(t, map[string]string{"ada": admin, "bob": admin, "cal": member}, f.roles())
}

// setRole changes name's role through the API, as someone else would.
func (f *fixture) setRole(name, role string) {
	f.t.Helper()
	_, _, err := f.other().OrganizationMemberships.Update(context.Background(), f.org, f.id[name],
		clerk.UpdateOrganizationMembershipParams{Role: role})
	require.NoError(f.t, err)
}

// kinds lists which of the five kinds of failure err matches: ErrStalePlan,
// ErrNotStarted, ErrOutcomeUnknown, *clerk.APIError, *clerk.ValidationError
// (the last two as the zero values of their types).
func kinds(err error) []error {
	var out []error
	for _, target := range []error{membersync.ErrStalePlan, membersync.ErrNotStarted, membersync.ErrOutcomeUnknown} {
		if errors.Is(err, target) {
			out = append(out, target)
		}
	}
	var apiErr *clerk.APIError
	if errors.As(err, &apiErr) {
		out = append(out, &clerk.APIError{})
	}
	var validation *clerk.ValidationError
	if errors.As(err, &validation) {
		out = append(out, &clerk.ValidationError{})
	}
	return out
}
