package membersync_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/membersync"
)

// A sync job plans, shows the plan, applies it, and checks that nothing is
// left to do. Here it runs against clerktest, whose user IDs are random, so
// the plan is printed with names in place of IDs.
func Example() {
	ctx := context.Background()
	srv := clerktest.NewServer()
	defer srv.Close()
	org := srv.AddOrganization("Acme")
	names := map[string]string{}
	user := func(name string) string {
		id := srv.AddUser(clerktest.User{Username: name})
		names[id] = name
		return id
	}
	ada, bob, cal, dan := user("ada"), user("bob"), user("cal"), user("dan")
	srv.AddMembership(org, ada, "org:admin")
	srv.AddMembership(org, bob, "org:member")
	srv.AddMembership(org, cal, "org:member")

	// The desired list, as an HR system exports it: cal has left, bob now
	// leads the team, dan has joined.
	desired := []membersync.Member{
		{UserID: ada, Role: "org:admin"},
		{UserID: bob, Role: "org:admin"},
		{UserID: dan, Role: "org:member", PublicMetadata: map[string]any{"team": "core"}},
	}
	s := membersync.New(srv.Client(), membersync.Options{Prune: true, MaxRemovals: 5})
	plan, err := s.Plan(ctx, org, desired)
	if err != nil {
		log.Fatal(err)
	}
	var pairs []string
	for id, name := range names {
		pairs = append(pairs, id, name)
	}
	fmt.Println(strings.NewReplacer(pairs...).Replace(plan.String()))

	report, err := s.Apply(ctx, plan)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("applied %d, failed %d\n", report.Applied, report.Failed)

	again, err := s.Plan(ctx, org, desired)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("nothing left to do:", again.Empty())
	// Output:
	// ~ set role of bob: org:member -> org:admin
	// - remove cal (org:member)
	// + add dan as org:member (public_metadata sets team)
	// 1 to add, 1 to change, 1 to remove
	// applied 3, failed 0
	// nothing left to do: true
}

// A Report tells each failed change's kind of failure with errors.Is: here
// another writer changes a membership between Plan and Apply, so Apply
// sends nothing for it rather than overwrite that writer's work.
func ExampleSyncer_Apply_kindsOfFailure() {
	ctx := context.Background()
	srv := clerktest.NewServer()
	defer srv.Close()
	org := srv.AddOrganization("Acme")
	ada, bob := srv.AddUser(clerktest.User{Username: "ada"}), srv.AddUser(clerktest.User{Username: "bob"})
	srv.AddMembership(org, ada, "org:admin")
	srv.AddMembership(org, bob, "org:member")
	client := srv.Client()

	s := membersync.New(client, membersync.Options{})
	plan, err := s.Plan(ctx, org, []membersync.Member{
		{UserID: ada, Role: "org:admin"},
		{UserID: bob, Role: "org:member", PublicMetadata: map[string]any{"team": "core"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Someone else edits bob's metadata in the dashboard meanwhile.
	if _, _, err := client.OrganizationMemberships.UpdateMetadata(ctx, org, bob,
		clerk.UpdateOrganizationMembershipMetadataParams{PublicMetadata: map[string]any{"team": "infra"}}); err != nil {
		log.Fatal(err)
	}

	report, _ := s.Apply(ctx, plan)
	for _, r := range report.Results {
		var apiErr *clerk.APIError
		switch {
		case r.Err == nil:
			fmt.Println(r.Change.Kind, "applied")
		case errors.Is(r.Err, membersync.ErrStalePlan):
			fmt.Println(r.Change.Kind, "not sent: changed since Plan; plan again")
		case errors.Is(r.Err, membersync.ErrNotStarted):
			fmt.Println(r.Change.Kind, "not sent; plan again")
		case errors.Is(r.Err, membersync.ErrOutcomeUnknown):
			fmt.Println(r.Change.Kind, "sent, outcome unknown; plan again")
		case errors.As(r.Err, &apiErr):
			fmt.Println(r.Change.Kind, "refused by Clerk:", apiErr.StatusCode)
		default:
			fmt.Println(r.Change.Kind, "invalid:", r.Err)
		}
	}
	// Output:
	// set_metadata not sent: changed since Plan; plan again
}
