package membersync_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/membersync"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const owner = "org:owner"

// withOwner adds a custom org:owner role that, like Clerk's admin role, may
// manage memberships.
func withOwner(f *fixture) {
	f.srv.AddRole(owner, "Owner", "org:sys_memberships:read", "org:sys_memberships:manage")
}

func TestPlanAndApplyReplaceTheOwnerOfACustomAdminRole(t *testing.T) {
	f := newFixture(t, abc)
	withOwner(f)
	f.members("ada:"+owner, "bob:org:member")
	desired := []membersync.Member{f.want("ada", member), f.want("bob", member), f.want("cal", owner)}
	s := membersync.New(f.client, membersync.Options{Prune: true})
	plan, err := s.Plan(context.Background(), f.org, desired)
	require.NoError(t, err, "org:owner holds org:sys_memberships:manage, and cal gets it")
	assert.Equal(t, ""+
		"+ add cal as org:owner\n"+
		"~ set role of ada: org:owner -> org:member\n"+
		"1 to add, 1 to change, 0 to remove", f.named(plan.String()), "the new owner first")

	report, err := s.Apply(context.Background(), plan)

	require.NoError(t, err)
	assert.Equal(t, 2, report.Applied)
	for _, r := range f.srv.Requests() {
		assert.NotEqual(t, http.StatusBadRequest, r.Status, "Clerk's last-admin rule never refused a change")
	}
	assert.Equal(t, map[string]string{"ada": member, "bob": member, "cal": owner}, f.roles())
}

func TestPlanCountsAsAdminsTheRolesClerkDoes(t *testing.T) {
	tests := []struct {
		name    string
		opts    membersync.Options
		members []string
		desired func(f *fixture) []membersync.Member
		noAdmin bool
		message string
	}{
		{
			name:    "by default a custom role with the permission to manage memberships is an admin role",
			members: []string{"ada:" + owner, "bob:org:member"},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", member), f.want("bob", member)}
			},
			noAdmin: true,
			message: "membersync: the plan would leave the organization without an admin: it removes or demotes every admin (ada) and makes nobody an admin (admin roles: org:admin, org:owner); keep one of them, give an admin role to another user, or list one in Options.Keep",
		},
		{
			name:    "by default org:admin is an admin role even when nobody holds it",
			members: []string{"ada:" + owner, "bob:org:member"},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", member), f.want("bob", admin)}
			},
		},
		{
			name:    "AdminRoles replaces the default",
			opts:    membersync.Options{AdminRoles: []string{owner}},
			members: []string{"ada:" + owner, "bob:org:member"},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", member), f.want("bob", admin)}
			},
			noAdmin: true,
			message: "membersync: the plan would leave the organization without an admin: it removes or demotes every admin (ada) and makes nobody an admin (admin roles: org:owner); keep one of them, give an admin role to another user, or list one in Options.Keep",
		},
		{
			name:    "AdminRole means AdminRoles of that one role",
			opts:    membersync.Options{AdminRole: admin},
			members: []string{"ada:" + owner, "bob:org:member"},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", member), f.want("bob", member)}
			},
		},
		{
			name:    "AdminRoles wins over AdminRole",
			opts:    membersync.Options{AdminRole: admin, AdminRoles: []string{owner}},
			members: []string{"ada:" + owner, "bob:org:admin"},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", member), f.want("bob", admin)}
			},
			noAdmin: true,
		},
		{
			name:    "an empty AdminRoles protects nobody",
			opts:    membersync.Options{AdminRoles: []string{}},
			members: []string{"ada:org:admin", "bob:org:member"},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", member), f.want("bob", member)}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, abc)
			withOwner(f)
			f.members(tt.members...)
			plan, err := membersync.New(f.client, tt.opts).Plan(context.Background(), f.org, tt.desired(f))
			if !tt.noAdmin {
				require.NoError(t, err)
				assert.NotEmpty(t, plan.Changes)
				return
			}
			assert.Nil(t, plan)
			require.ErrorIs(t, err, membersync.ErrNoAdmin)
			if tt.message != "" {
				assert.Equal(t, tt.message, f.named(err.Error()))
			}
		})
	}
}

func TestApplyKeepsTheOldAdminsWhenTheNewAdminFails(t *testing.T) {
	tests := []struct {
		name     string
		members  []string
		desired  func(f *fixture) []membersync.Member
		fault    clerktest.Fault
		requests map[string]int
		held     []string // changes not sent, by plan line
		roles    map[string]string
	}{
		{
			name:    "a failed promotion keeps the old admin from being removed",
			members: []string{"ada:org:admin", "bob:org:member"},
			desired: func(f *fixture) []membersync.Member { return []membersync.Member{f.want("bob", admin)} },
			fault:   clerktest.Fault{Method: http.MethodPatch, Status: http.StatusUnprocessableEntity},
			// The read, the refused promotion; no DELETE.
			requests: map[string]int{"GET": 1, "PATCH": 1},
			held:     []string{"remove ada"},
			roles:    map[string]string{"ada": admin, "bob": member},
		},
		{
			name:    "a failed promotion keeps the old admin from being demoted",
			members: []string{"ada:org:admin", "bob:org:member"},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", member), f.want("bob", admin)}
			},
			fault:    clerktest.Fault{Method: http.MethodPatch, Status: http.StatusUnprocessableEntity},
			requests: map[string]int{"GET": 1, "PATCH": 1},
			held:     []string{"set role of ada"},
			roles:    map[string]string{"ada": admin, "bob": member},
		},
		{
			name:     "a failed add as an admin keeps the old admins from being removed",
			members:  []string{"ada:org:admin", "bob:org:admin"},
			desired:  func(f *fixture) []membersync.Member { return []membersync.Member{f.want("cal", admin)} },
			fault:    clerktest.Fault{Method: http.MethodPost, Status: http.StatusUnprocessableEntity},
			requests: map[string]int{"GET": 1, "POST": 1},
			held:     []string{"remove ada", "remove bob"},
			roles:    map[string]string{"ada": admin, "bob": admin},
		},
		{
			name:    "one promotion of two failing is enough: the old admin goes",
			members: []string{"ada:org:admin", "bob:org:member", "cal:org:member"},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("bob", admin), f.want("cal", admin)}
			},
			fault:    clerktest.Fault{Method: http.MethodPatch, Status: http.StatusUnprocessableEntity},
			requests: map[string]int{"GET": 1, "PATCH": 2, "DELETE": 1},
			roles:    map[string]string{"bob": member, "cal": admin}, // the fault hits the first, bob's
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, abc)
			f.members(tt.members...)
			s := membersync.New(f.client, membersync.Options{Prune: true, Concurrency: 1})
			plan, err := s.Plan(context.Background(), f.org, tt.desired(f))
			require.NoError(t, err)
			f.srv.InjectFault(tt.fault)
			before := len(f.srv.Requests())

			report, err := s.Apply(context.Background(), plan)

			require.Error(t, err)
			assert.Equal(t, tt.requests, countByMethod(f.requestsSince(before)))
			assert.Equal(t, tt.roles, f.roles())
			var held []string
			for _, r := range report.Results {
				if errors.Is(r.Err, membersync.ErrNotStarted) {
					held = append(held, f.named(describeChange(r.Change)))
					assert.Equal(t, []error{membersync.ErrNotStarted}, kinds(r.Err), "ErrNotStarted only: %v", r.Err)
					assert.NotErrorIs(t, r.Err, context.Canceled)
					assert.ErrorContains(t, err, r.Err.Error(), "Apply's error lists it")
				}
			}
			assert.Equal(t, tt.held, held)
		})
	}
}

// describeChange names a change as "remove ada" does.
func describeChange(c membersync.Change) string {
	switch c.Kind {
	case membersync.Remove:
		return "remove " + c.UserID
	case membersync.SetRole:
		return "set role of " + c.UserID
	case membersync.Add:
		return "add " + c.UserID
	}
	return "set metadata of " + c.UserID
}
