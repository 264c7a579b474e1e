package membersync_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/membersync"
)

// BenchmarkPlan10000 plans an organization of 10,000 members (20 pages)
// against a desired list of 10,000 that differs in 600 places: 100 role
// changes, 100 additions, 100 removals and 300 metadata changes.
func BenchmarkPlan10000(b *testing.B) {
	const n = 10000
	srv := clerktest.NewServer()
	defer srv.Close()
	org := srv.AddOrganization("Big")
	desired := make([]membersync.Member, 0, n)
	for i := range n {
		user := srv.AddUser(clerktest.User{Username: fmt.Sprintf("u%05d", i)})
		role := clerktest.RoleMember
		if i%500 == 0 {
			role = clerktest.RoleAdmin
		}
		srv.AddMembership(org, user, role)
		m := membersync.Member{UserID: user, Role: role}
		switch {
		case i%100 == 1: // 100 role changes
			m.Role = clerktest.RoleAdmin
		case i%100 == 2: // 100 removals: replaced by new users below
			continue
		case i%100 >= 3 && i%100 < 6: // 300 metadata changes
			m.PublicMetadata = map[string]any{"team": fmt.Sprintf("t%d", i%7), "cost_center": i}
		}
		desired = append(desired, m)
	}
	for i := range n / 100 { // 100 additions
		desired = append(desired, membersync.Member{UserID: srv.AddUser(clerktest.User{Username: fmt.Sprintf("new%03d", i)}), Role: clerktest.RoleMember})
	}
	s := membersync.New(srv.Client(), membersync.Options{Prune: true, MaxRemovals: -1})
	ctx := context.Background()

	b.ReportAllocs()
	var plan *membersync.Plan
	for b.Loop() {
		var err error
		if plan, err = s.Plan(ctx, org, desired); err != nil {
			b.Fatal(err)
		}
	}
	if len(plan.Changes) != 600 || plan.Unchanged != n-100-300-100 {
		kinds := map[membersync.ChangeKind]int{}
		for _, c := range plan.Changes {
			kinds[c.Kind]++
		}
		b.Fatalf("plan has %d changes (%v) and %d unchanged, want 600 and %d", len(plan.Changes), kinds, plan.Unchanged, n-500)
	}
}

// BenchmarkApply1000Adds applies 1,000 additions against a server that
// answers each after 50 ms and allows 100 requests per second (Clerk's
// production limit of 1000 per 10 s, scaled down by ten), through a client
// limited to 99 per second with a burst of 1, which never exceeds 100 in
// any second. It reports the rate achieved, its fraction of the allowed
// 100/s, the 429s received and the failures. Run it with -benchtime=1x: each
// run takes about 10 s.
func BenchmarkApply1000Adds(b *testing.B) {
	const n, allowed = 1000, 100
	for range b.N {
		b.StopTimer()
		srv := clerktest.NewServer()
		org := srv.AddOrganization("Growing")
		srv.AddMembership(org, srv.AddUser(clerktest.User{Username: "owner"}), clerktest.RoleAdmin)
		desired := make([]membersync.Member, n)
		for i := range desired {
			desired[i] = membersync.Member{UserID: srv.AddUser(clerktest.User{Username: fmt.Sprintf("u%04d", i)}), Role: clerktest.RoleMember}
		}
		srv.SetRateLimit(allowed, time.Second)
		srv.InjectFault(clerktest.Fault{Method: http.MethodPost, Times: n, Delay: 50 * time.Millisecond})
		client := srv.Client(clerk.WithRateLimit(allowed-1, 1))
		s := membersync.New(client, membersync.Options{})
		ctx := context.Background()
		plan, err := s.Plan(ctx, org, desired)
		if err != nil {
			b.Fatal(err)
		}
		if len(plan.Changes) != n {
			b.Fatalf("plan has %d changes, want %d", len(plan.Changes), n)
		}

		b.StartTimer()
		start := time.Now()
		report, err := s.Apply(ctx, plan)
		elapsed := time.Since(start)
		b.StopTimer()

		srv.SetRateLimit(0, 0)
		members := 0
		for _, err := range client.OrganizationMemberships.All(ctx, org, nil) {
			if err != nil {
				b.Fatal(err)
			}
			members++
		}
		tooMany := 0
		for _, r := range srv.Requests() {
			if r.Status == http.StatusTooManyRequests {
				tooMany++
			}
		}
		srv.Close()
		if err != nil {
			b.Errorf("Apply: %v", err)
		}
		if members != n+1 {
			b.Fatalf("%d members after Apply, want exactly %d", members, n+1)
		}
		rate := float64(report.Applied) / elapsed.Seconds()
		b.ReportMetric(rate, "req/s")
		b.ReportMetric(100*rate/allowed, "%allowed")
		b.ReportMetric(float64(tooMany), "429s")
		b.ReportMetric(float64(report.Failed), "failures")
	}
}
