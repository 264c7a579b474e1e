package membersync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"testing"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/membersync"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	admin  = clerktest.RoleAdmin
	member = clerktest.RoleMember
)

func TestPlan(t *testing.T) {
	// Every case starts from the same organization:
	// ada and dan are admins, bob, cal and eve members, and eve has
	// public metadata {"team": "x", "old": 1}.
	type want struct {
		plan      string // Plan.String with names for IDs
		unchanged int
	}
	tests := []struct {
		name    string
		opts    membersync.Options
		desired func(f *fixture) []membersync.Member
		want    want
	}{
		{
			name: "an organization that matches the list needs no change",
			opts: membersync.Options{Prune: true},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", admin), f.want("bob", member), f.want("cal", member), f.want("dan", admin), f.want("eve", member)}
			},
			want: want{"0 to add, 0 to change, 0 to remove", 5},
		},
		{
			name: "every kind of change is listed in the order Apply performs it",
			opts: membersync.Options{Prune: true},
			desired: func(f *fixture) []membersync.Member {
				eve := f.want("eve", member)
				eve.PublicMetadata = map[string]any{"team": "y"}
				gus := f.want("gus", admin)
				gus.PrivateMetadata = map[string]any{"badge": 7}
				// Listed out of order on purpose: the plan sorts.
				return []membersync.Member{gus, f.want("fay", member), eve, f.want("dan", member), f.want("bob", admin), f.want("ada", admin)}
			},
			want: want{"" +
				"~ set role of bob: org:member -> org:admin\n" +
				"- remove cal (org:member)\n" +
				"~ set role of dan: org:admin -> org:member\n" +
				"+ add fay as org:member\n" +
				"+ add gus as org:admin (private_metadata sets badge)\n" +
				"~ set metadata of eve: public_metadata sets team, deletes old\n" +
				"2 to add, 3 to change, 1 to remove", 1},
		},
		{
			name: "without Prune members who are not listed stay",
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", admin), f.want("fay", member)}
			},
			want: want{"+ add fay as org:member\n1 to add, 0 to change, 0 to remove", 1},
		},
		{
			name: "a member whose role and metadata both change counts twice",
			desired: func(f *fixture) []membersync.Member {
				eve := f.want("eve", admin)
				eve.PublicMetadata = map[string]any{"team": "x", "old": 1, "new": true}
				return []membersync.Member{eve}
			},
			want: want{"" +
				"~ set role of eve: org:member -> org:admin\n" +
				"~ set metadata of eve: public_metadata sets new\n" +
				"0 to add, 2 to change, 0 to remove", 0},
		},
		{
			name: "Keep protects members from removal and change but counts them as unchanged",
			opts: membersync.Options{Prune: true, Keep: []string{"<cal>", "<dan>", "<eve>"}},
			desired: func(f *fixture) []membersync.Member {
				eve := f.want("eve", admin)
				eve.PublicMetadata = map[string]any{}
				return []membersync.Member{f.want("ada", admin), f.want("bob", member), f.want("dan", member), eve}
			},
			want: want{"0 to add, 0 to change, 0 to remove", 4},
		},
		{
			name: "a kept user who is desired but not a member is added",
			opts: membersync.Options{Keep: []string{"<fay>"}},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("fay", member)}
			},
			want: want{"+ add fay as org:member\n1 to add, 0 to change, 0 to remove", 0},
		},
		{
			name: "an empty desired map deletes every key and a nil one leaves the metadata alone",
			desired: func(f *fixture) []membersync.Member {
				eve := f.want("eve", member)
				eve.PublicMetadata = map[string]any{}
				bob := f.want("bob", member)
				bob.PublicMetadata = nil
				return []membersync.Member{bob, eve}
			},
			want: want{"~ set metadata of eve: public_metadata deletes old, team\n0 to add, 1 to change, 0 to remove", 1},
		},
		{
			name: "replacing every admin by a new member adds the new admin first",
			opts: membersync.Options{Prune: true},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("bob", member), f.want("cal", member), f.want("eve", member), f.want("fay", member), f.want("gus", admin)}
			},
			want: want{"" +
				"+ add gus as org:admin\n" +
				"- remove ada (org:admin)\n" +
				"- remove dan (org:admin)\n" +
				"+ add fay as org:member\n" +
				"2 to add, 0 to change, 2 to remove", 3},
		},
		{
			name: "demoting every admin while promoting another is fine",
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", member), f.want("dan", member), f.want("bob", admin)}
			},
			want: want{"" +
				"~ set role of bob: org:member -> org:admin\n" +
				"~ set role of ada: org:admin -> org:member\n" +
				"~ set role of dan: org:admin -> org:member\n" +
				"0 to add, 3 to change, 0 to remove", 0},
		},
		{
			name: "a kept admin keeps the organization administered",
			opts: membersync.Options{Prune: true, Keep: []string{"<dan>"}},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("bob", member)}
			},
			want: want{"" +
				"- remove ada (org:admin)\n" +
				"- remove cal (org:member)\n" +
				"- remove eve (org:member)\n" +
				"0 to add, 0 to change, 3 to remove", 1},
		},
		{
			name: "MaxRemovals allows exactly that many removals",
			opts: membersync.Options{Prune: true, MaxRemovals: 2},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", admin), f.want("dan", admin), f.want("eve", member)}
			},
			want: want{"- remove bob (org:member)\n- remove cal (org:member)\n0 to add, 0 to change, 2 to remove", 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, abc)
			f.members("ada:org:admin", "bob:org:member", "cal:org:member", "dan:org:admin", "eve:org:member")
			f.setMetadata("eve", map[string]any{"team": "x", "old": 1}, nil)
			opts := tt.opts
			for i, k := range opts.Keep {
				opts.Keep[i] = f.id[k[1:len(k)-1]]
			}
			plan := f.plan(opts, tt.desired(f)...)
			assert.Equal(t, tt.want.plan, f.named(plan.String()))
			assert.Equal(t, tt.want.unchanged, plan.Unchanged)
			assert.Equal(t, f.org, plan.OrganizationID)
			assert.Equal(t, tt.want.plan == "0 to add, 0 to change, 0 to remove", plan.Empty())
		})
	}
}

func TestPlanChangesCarryRolesAndTheSmallestMetadataPatch(t *testing.T) {
	f := newFixture(t, abc)
	f.members("ada:org:admin", "bob:org:member", "cal:org:member")
	f.setMetadata("bob", map[string]any{"a": map[string]any{"b": 1, "c": 2}, "d": 3, "list": []any{1, 2}},
		map[string]any{"secret": "s"})

	bob := f.want("bob", member)
	bob.PublicMetadata = map[string]any{"a": map[string]any{"c": 2}, "d": 3, "e": 4, "list": []any{1, 2}}
	bob.PrivateMetadata = map[string]any{"secret": "s"} // unchanged: no private patch
	dan := f.want("dan", member)
	dan.PublicMetadata = map[string]any{"team": "core"}
	plan := f.plan(membersync.Options{Prune: true}, f.want("ada", admin), bob, dan)

	assert.Equal(t, []membersync.Change{
		{Kind: membersync.Remove, UserID: f.id["cal"], Role: member},
		{Kind: membersync.Add, UserID: f.id["dan"], Role: member,
			Metadata: clerk.UpdateOrganizationMembershipMetadataParams{PublicMetadata: map[string]any{"team": "core"}}},
		{Kind: membersync.SetMetadata, UserID: f.id["bob"],
			Metadata: clerk.UpdateOrganizationMembershipMetadataParams{
				PublicMetadata: map[string]any{"a": map[string]any{"b": nil}, "e": json.Number("4")}}},
	}, plan.Changes)
}

func TestPlanComparesMetadataAsJSONValues(t *testing.T) {
	tests := []struct {
		name    string
		stored  string // stored public metadata, as JSON
		desired map[string]any
		patch   map[string]any // nil: no change
	}{
		{"the same number written differently is no change", `{"n":1,"m":1.5e3,"z":0}`,
			map[string]any{"n": json.Number("1.0"), "m": 1500, "z": json.Number("-0.0")}, nil},
		{"numbers beyond float64 precision are compared exactly", `{"id":9007199254740993}`,
			map[string]any{"id": json.Number("9007199254740992")}, map[string]any{"id": json.Number("9007199254740992")}},
		{"an equal number beyond float64 precision is no change", `{"id":9007199254740993}`,
			map[string]any{"id": int64(9007199254740993)}, nil},
		{"Go values compare with the JSON they encode to", `{"tags":["a","b"],"on":true,"s":"x"}`,
			map[string]any{"tags": []string{"a", "b"}, "on": true, "s": json.RawMessage(`"x"`)}, nil},
		{"arrays are replaced whole", `{"tags":["a","b"]}`,
			map[string]any{"tags": []string{"a"}}, map[string]any{"tags": []any{"a"}}},
		{"a nested object is patched key by key", `{"o":{"keep":1,"drop":2,"deep":{"x":1}}}`,
			map[string]any{"o": map[string]any{"keep": 1, "deep": map[string]any{"x": 2}}},
			map[string]any{"o": map[string]any{"drop": nil, "deep": map[string]any{"x": json.Number("2")}}}},
		{"an object replacing a scalar is sent whole", `{"o":5}`,
			map[string]any{"o": map[string]any{"a": 1}}, map[string]any{"o": map[string]any{"a": json.Number("1")}}},
		{"a stored null is deleted when not wanted", `{"gone":null,"k":1}`,
			map[string]any{"k": 1}, map[string]any{"gone": nil}},
		{"a string is not a number", `{"n":1}`,
			map[string]any{"n": "1"}, map[string]any{"n": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, abc)
			// Created with raw values, so that numbers and nulls are stored as written.
			_, _, err := f.client.OrganizationMemberships.Create(context.Background(), f.org, clerk.CreateOrganizationMembershipParams{
				UserID: f.id["ada"], Role: admin, PublicMetadata: rawObject(t, tt.stored)})
			require.NoError(t, err)

			ada := f.want("ada", admin)
			ada.PublicMetadata = tt.desired
			plan := f.plan(membersync.Options{}, ada)
			if tt.patch == nil {
				assert.True(t, plan.Empty(), plan.String())
				assert.Equal(t, 1, plan.Unchanged)
				return
			}
			require.Len(t, plan.Changes, 1, plan.String())
			assert.Equal(t, membersync.SetMetadata, plan.Changes[0].Kind)
			assert.Equal(t, tt.patch, plan.Changes[0].Metadata.PublicMetadata)
			assert.Nil(t, plan.Changes[0].Metadata.PrivateMetadata)
		})
	}
}

// rawObject turns a JSON object into a map whose values stay raw JSON, so
// that they reach the server exactly as written.
func rawObject(t *testing.T, obj string) map[string]any {
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(obj), &raw))
	out := map[string]any{}
	for k, v := range raw {
		out[k] = v
	}
	return out
}

func TestPlanRefuses(t *testing.T) {
	tests := []struct {
		name    string
		opts    membersync.Options
		setup   func(f *fixture)
		desired func(f *fixture) []membersync.Member
		is      []error
		message string
	}{
		{
			name:  "more removals than MaxRemovals",
			opts:  membersync.Options{Prune: true, MaxRemovals: 1},
			setup: func(f *fixture) { f.members("ada:org:admin", "bob:org:member", "cal:org:member") },
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", admin)}
			},
			is:      []error{membersync.ErrTooManyRemovals},
			message: "membersync: the plan would remove more members than Options.MaxRemovals allows: it would remove 2 members and Options.MaxRemovals allows 1; check that the desired list is complete, or raise Options.MaxRemovals (a negative value means no limit)",
		},
		{
			name:  "removing the only admin",
			opts:  membersync.Options{Prune: true},
			setup: func(f *fixture) { f.members("ada:org:admin", "bob:org:member") },
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("bob", member)}
			},
			is:      []error{membersync.ErrNoAdmin},
			message: "membersync: the plan would leave the organization without an admin: it removes or demotes every admin (ada) and makes nobody an admin (admin roles: org:admin); keep one of them, give an admin role to another user, or list one in Options.Keep",
		},
		{
			name:  "demoting one admin and removing the other",
			opts:  membersync.Options{Prune: true},
			setup: func(f *fixture) { f.members("ada:org:admin", "bob:org:admin", "cal:org:member") },
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", member), f.want("cal", member)}
			},
			is:      []error{membersync.ErrNoAdmin},
			message: "membersync: the plan would leave the organization without an admin: it removes or demotes every admin (ada, bob) and makes nobody an admin (admin roles: org:admin); keep one of them, give an admin role to another user, or list one in Options.Keep",
		},
		{
			name: "removing the only holder of a custom AdminRole",
			opts: membersync.Options{Prune: true, AdminRole: "org:owner"},
			setup: func(f *fixture) {
				f.srv.AddRole("org:owner", "Owner", "org:sys_memberships:manage")
				f.members("ada:org:owner", "bob:org:admin")
			},
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("bob", admin)}
			},
			is:      []error{membersync.ErrNoAdmin},
			message: "membersync: the plan would leave the organization without an admin: it removes or demotes every admin (ada) and makes nobody an admin (admin roles: org:owner); keep one of them, give an admin role to another user, or list one in Options.Keep",
		},
		{
			name:  "too many removals and no admin left, both at once",
			opts:  membersync.Options{Prune: true, MaxRemovals: 1},
			setup: func(f *fixture) { f.members("ada:org:admin", "bob:org:member") },
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("cal", member)}
			},
			is: []error{membersync.ErrTooManyRemovals, membersync.ErrNoAdmin},
		},
	}
	for _, tt := range tests {
		t.Run("Plan refuses "+tt.name, func(t *testing.T) {
			f := newFixture(t, abc)
			tt.setup(f)
			plan, err := membersync.New(f.client, tt.opts).Plan(context.Background(), f.org, tt.desired(f))
			assert.Nil(t, plan)
			require.Error(t, err)
			for _, target := range tt.is {
				assert.ErrorIs(t, err, target)
			}
			if tt.message != "" {
				assert.Equal(t, tt.message, f.named(err.Error()))
			}
		})
	}
}

func TestPlanAcceptsAnOrganizationWithoutAnAdminToday(t *testing.T) {
	f := newFixture(t, abc)
	f.members("bob:org:member", "cal:org:member")
	plan := f.plan(membersync.Options{Prune: true}, f.want("bob", member))
	assert.Equal(t, "- remove cal (org:member)\n0 to add, 0 to change, 1 to remove", f.named(plan.String()))
}

func TestPlanAcceptsDroppingTheDefaultAdminRoleWhenAnotherIsProtected(t *testing.T) {
	f := newFixture(t, abc)
	f.srv.AddRole("org:owner", "Owner", "org:sys_memberships:manage")
	f.members("ada:org:owner", "bob:org:admin")
	plan := f.plan(membersync.Options{Prune: true, AdminRole: "org:owner"}, f.want("ada", "org:owner"))
	assert.Equal(t, "- remove bob (org:admin)\n0 to add, 0 to change, 1 to remove", f.named(plan.String()))
}

func TestPlanRejectsInvalidInputWithoutSendingAnything(t *testing.T) {
	type badValue struct{ C chan int }
	tests := []struct {
		name    string
		client  bool // false: a nil client
		opts    membersync.Options
		org     string
		desired func(f *fixture) []membersync.Member
		param   string
		message string
	}{
		{name: "an empty organization ID", client: true, org: "",
			param: "organization_id", message: "must not be empty"},
		{name: "an empty user ID", client: true, org: "org",
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", admin), {Role: member}}
			},
			param: "desired[1].user_id", message: "must not be empty"},
		{name: "an empty role", client: true, org: "org",
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{{UserID: f.id["ada"]}}
			},
			param: "desired[0].role", message: `must not be empty; give a role key such as "org:member"`},
		{name: "a user listed twice", client: true, org: "org",
			desired: func(f *fixture) []membersync.Member {
				return []membersync.Member{f.want("ada", admin), f.want("bob", member), f.want("ada", member)}
			},
			param: "desired[2].user_id", message: "ada is listed twice, also at desired[0]; list each user once"},
		{name: "a nil value in nested public metadata", client: true, org: "org",
			desired: func(f *fixture) []membersync.Member {
				m := f.want("ada", admin)
				m.PublicMetadata = map[string]any{"a": map[string]any{"b": nil}}
				return []membersync.Member{m}
			},
			param: "desired[0].public_metadata", message: `key "a.b" is nil: Clerk deletes a key set to null instead of storing it; leave the key out`},
		{name: "private metadata that cannot be encoded as JSON", client: true, org: "org",
			desired: func(f *fixture) []membersync.Member {
				m := f.want("ada", admin)
				m.PrivateMetadata = map[string]any{"c": badValue{make(chan int)}}
				return []membersync.Member{m}
			},
			param: "desired[0].private_metadata", message: "cannot be encoded as JSON: json: unsupported type: chan int"},
		{name: "an empty admin role", client: true, org: "org", opts: membersync.Options{AdminRoles: []string{"org:admin", ""}},
			param: "Options.AdminRoles[1]", message: "must not be empty; give a role key such as \"org:admin\""},
		{name: "a negative Concurrency", client: true, org: "org", opts: membersync.Options{Concurrency: -1},
			param: "Options.Concurrency", message: "must not be negative (0 means 8)"},
		{name: "a nil client", org: "org",
			param: "client", message: "must not be nil; pass the *clerk.Client to membersync.New"},
	}
	for _, tt := range tests {
		t.Run("Plan rejects "+tt.name, func(t *testing.T) {
			f := newFixture(t, abc)
			var desired []membersync.Member
			if tt.desired != nil {
				desired = tt.desired(f)
			}
			org := tt.org
			if org == "org" {
				org = f.org
			}
			client := f.client
			if !tt.client {
				client = nil
			}
			plan, err := membersync.New(client, tt.opts).Plan(context.Background(), org, desired)
			assert.Nil(t, plan)
			var verr *clerk.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.param, verr.Param)
			assert.Equal(t, tt.message, f.named(verr.Message))
			assert.Zero(t, f.srv.CountRequests("", ""), "nothing is sent")
		})
	}
}

func TestPlanReadsEveryPage(t *testing.T) {
	const n = 1200 // three pages of 500
	srv := clerktest.NewServer()
	defer srv.Close()
	org := srv.AddOrganization("Big")
	desired := make([]membersync.Member, n)
	for i := range n {
		role := member
		if i%100 == 0 {
			role = admin
		}
		user := srv.AddUser(clerktest.User{Username: fmt.Sprintf("u%04d", i)})
		srv.AddMembership(org, user, role)
		desired[i] = membersync.Member{UserID: user, Role: role}
	}
	first := desired[0].UserID // created first: last in the default -created_at order, on page 3

	// Leaving out the member on the last page proves that every page was read.
	plan, err := membersync.New(srv.Client(), membersync.Options{Prune: true}).Plan(context.Background(), org, desired[1:])
	require.NoError(t, err)
	assert.Equal(t, []membersync.Change{{Kind: membersync.Remove, UserID: first, Role: admin}}, plan.Changes)
	assert.Equal(t, 3, srv.CountRequests("GET", "/v1/organizations/"+org+"/memberships"))
	assert.Equal(t, n-1, plan.Unchanged)
}

func TestPlanReportsAFailedRead(t *testing.T) {
	f := newFixture(t, abc)
	plan, err := membersync.New(f.client, membersync.Options{}).Plan(context.Background(), "org_missing", []membersync.Member{f.want("ada", admin)})
	assert.Nil(t, plan)
	assert.ErrorIs(t, err, clerk.ErrNotFound)
	assert.Equal(t, "membersync: reading the memberships of org_missing: clerk: 404 Not Found: resource_not_found: Given organization not found.",
		stripTrace(err.Error()))
}

func TestPlanStringOfAHandMadePlan(t *testing.T) {
	plan := &membersync.Plan{Changes: []membersync.Change{
		{Kind: membersync.SetRole, UserID: "user_b", Role: admin, OldRole: member},
		{Kind: membersync.Remove, UserID: "user_c", Role: member},
		{Kind: membersync.Add, UserID: "user_d", Role: member, Metadata: clerk.UpdateOrganizationMembershipMetadataParams{
			PublicMetadata: map[string]any{"team": "x", "o": map[string]any{"p": 1}}, PrivateMetadata: map[string]any{"k": "secret"}}},
		{Kind: membersync.SetMetadata, UserID: "user_e", Metadata: clerk.UpdateOrganizationMembershipMetadataParams{
			PublicMetadata: map[string]any{"a": map[string]any{"b": nil, "c": map[string]any{}}, "e": 4}}},
	}}
	assert.Equal(t, ""+
		"~ set role of user_b: org:member -> org:admin\n"+
		"- remove user_c (org:member)\n"+
		"+ add user_d as org:member (public_metadata sets o.p, team; private_metadata sets k)\n"+
		"~ set metadata of user_e: public_metadata sets a.c, e, deletes a.b\n"+
		"1 to add, 2 to change, 1 to remove", plan.String())
	assert.NotContains(t, plan.String(), "secret", "values are never printed")
	assert.False(t, plan.Empty())

	var none *membersync.Plan
	assert.True(t, none.Empty())
	assert.Equal(t, "0 to add, 0 to change, 0 to remove", none.String())
}

// stripTrace removes the " (trace ...)" that clerktest's random trace IDs add.
func stripTrace(s string) string {
	return traceRE.ReplaceAllString(s, "")
}

var traceRE = regexp.MustCompile(` \(trace [0-9A-Za-z]+\)`)

func TestPlanIsTheSameWhateverTheOrderOfTheList(t *testing.T) {
	f := newFixture(t, abc)
	f.members("ada:org:admin", "bob:org:member", "cal:org:member", "dan:org:admin", "eve:org:member", "fay:org:member")
	desired := []membersync.Member{f.want("ada", member), f.want("bob", admin), f.want("cal", admin), f.want("gus", member), f.want("hal", admin)}
	s := membersync.New(f.client, membersync.Options{Prune: true})
	first, err := s.Plan(context.Background(), f.org, desired)
	require.NoError(t, err)
	require.Equal(t, ""+
		"~ set role of bob: org:member -> org:admin\n"+
		"~ set role of cal: org:member -> org:admin\n"+
		"- remove dan (org:admin)\n"+
		"- remove eve (org:member)\n"+
		"- remove fay (org:member)\n"+
		"~ set role of ada: org:admin -> org:member\n"+
		"+ add gus as org:member\n"+
		"+ add hal as org:admin\n"+
		"2 to add, 3 to change, 3 to remove", f.named(first.String()), "each group by user ID: promotions, removals, other role changes, adds")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		rng.Shuffle(len(desired), func(i, j int) { desired[i], desired[j] = desired[j], desired[i] })
		again, err := s.Plan(context.Background(), f.org, desired)
		require.NoError(t, err)
		require.Equal(t, first.Changes, again.Changes, "listed as %v", desired)
	}
}
