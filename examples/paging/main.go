// Command paging walks every membership of an organization with All, as a
// nightly sync job would, and counts members per role. It shows that the loop
// is plain Go, that pages after the first are fetched concurrently, and that
// breaking out early stops fetching.
//
//	go run ./examples/paging
//
// It runs against an embedded clerktest server seeded with 2,000 members.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

func main() {
	if err := run(context.Background(), os.Stdout, 2000); err != nil {
		fmt.Fprintln(os.Stderr, "paging:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, members int) error {
	srv := clerktest.NewServer()
	defer srv.Close()
	org := srv.AddOrganization("Big Co")
	srv.AddRole("org:billing", "Billing", "org:billing:manage")
	client := srv.Client(clerk.WithPageConcurrency(4))
	roles := []string{"org:admin", "org:member", "org:member", "org:billing"}
	for i := range members {
		user := srv.AddUser(clerktest.User{Username: fmt.Sprintf("member%05d", i)})
		srv.AddMembership(org, user, roles[i%len(roles)])
	}
	seeded := srv.CountRequests("", "")

	// Walk everything: the first page alone, then up to 4 pages at once.
	perRole := map[string]int{}
	for m, err := range client.OrganizationMemberships.All(ctx, org, nil) {
		if err != nil {
			return err
		}
		perRole[m.Role]++
	}
	fmt.Fprintf(out, "walked %d pages of up to 500:\n", srv.CountRequests("", "")-seeded)
	keys := make([]string, 0, len(perRole))
	for k := range perRole {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(out, "  %-12s %d\n", k, perRole[k])
	}

	// Find the first admin by username: the loop breaks, fetching stops.
	before := srv.CountRequests("", "")
	params := &clerk.ListOrganizationMembershipsParams{Roles: []string{"org:admin"}, OrderBy: "+username", Limit: 100}
	for m, err := range client.OrganizationMemberships.All(ctx, org, params) {
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "first admin: %s (found with %d request)\n", *m.PublicUserData.Username, srv.CountRequests("", "")-before)
		break
	}
	return nil
}
