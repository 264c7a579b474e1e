package membersync

import (
	"encoding/json"
	"fmt"
	"testing"

	clerk "github.com/clerkkit/clerk-go"
)

// BenchmarkCompare10000 measures Plan's own work on the organization of
// BenchmarkPlan10000, without HTTP or the fake server: validating the
// desired list and comparing it with memberships already read, 1,000 of
// which carry stored metadata.
func BenchmarkCompare10000(b *testing.B) {
	const n = 10000
	current := make(map[string]*clerk.OrganizationMembership, n)
	desired := make([]Member, 0, n)
	for i := range n {
		id := fmt.Sprintf("user_%05d", i)
		role := "org:member"
		if i%500 == 0 {
			role = "org:admin"
		}
		m := &clerk.OrganizationMembership{Role: role, PublicMetadata: json.RawMessage(`{}`),
			PublicUserData: &clerk.OrganizationMembershipPublicUserData{UserID: id}}
		if i%10 == 0 {
			m.PublicMetadata = json.RawMessage(fmt.Sprintf(`{"team":"t%d","cost_center":%d}`, i%7, i))
		}
		current[id] = m
		d := Member{UserID: id, Role: role}
		switch {
		case i%100 == 1:
			d.Role = "org:admin"
		case i%100 == 2:
			continue
		case i%10 == 0 || i%100 >= 3 && i%100 < 6:
			d.PublicMetadata = map[string]any{"team": fmt.Sprintf("t%d", i%7), "cost_center": i}
		}
		desired = append(desired, d)
	}
	for i := range n / 100 {
		desired = append(desired, Member{UserID: fmt.Sprintf("user_new%03d", i), Role: "org:member"})
	}
	s := New(nil, Options{Prune: true, MaxRemovals: -1})

	b.ReportAllocs()
	var plan *Plan
	for b.Loop() {
		want, err := validate(desired)
		if err != nil {
			b.Fatal(err)
		}
		if plan, err = s.compare("org_1", want, current); err != nil {
			b.Fatal(err)
		}
	}
	if len(plan.Changes) != 600 {
		b.Fatalf("plan has %d changes, want 600", len(plan.Changes))
	}
}
