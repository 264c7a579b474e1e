// Command quickstart walks through all seven organization-membership
// operations and prints, for each, what it did, the HTTP status, Clerk's
// trace ID and the result.
//
// With no environment it runs against an embedded clerktest server:
//
//	go run ./examples/quickstart
//
// With CLERK_SECRET_KEY set it talks to the real API, using the organization
// and user named by CLERK_ORGANIZATION_ID and CLERK_USER_ID. It only reads
// unless -write is given, in which case it adds the user to the organization,
// changes the role and metadata, and removes the membership again.
// CLERK_API_URL, when set, replaces the base URL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Getenv, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run is main without the process: the test calls it too.
func run(ctx context.Context, out io.Writer, getenv func(string) string, args []string) error {
	flags := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	flags.SetOutput(out)
	write := flags.Bool("write", false, "with CLERK_SECRET_KEY: also create, update and delete a membership")
	if err := flags.Parse(args); err != nil {
		return err
	}

	var client *clerk.Client
	var orgID, userID string
	if key := getenv("CLERK_SECRET_KEY"); key != "" {
		orgID, userID = getenv("CLERK_ORGANIZATION_ID"), getenv("CLERK_USER_ID")
		if orgID == "" || userID == "" {
			return errors.New("with CLERK_SECRET_KEY set, also set CLERK_ORGANIZATION_ID and CLERK_USER_ID")
		}
		opts := []clerk.Option{clerk.WithUserAgent("clerk-go-quickstart")}
		if u := getenv("CLERK_API_URL"); u != "" {
			opts = append(opts, clerk.WithBaseURL(u))
		}
		var err error
		if client, err = clerk.NewClient(key, opts...); err != nil {
			return err
		}
		fmt.Fprintf(out, "Talking to the real Clerk API (organization %s, user %s).\n", orgID, userID)
		if !*write {
			fmt.Fprintln(out, "Read-only: pass -write to also create, update and delete a membership.")
		}
	} else {
		srv := clerktest.NewServer()
		defer srv.Close()
		orgID = srv.AddOrganization("Acme Corp")
		admin := srv.AddUser(clerktest.User{FirstName: "Ada", LastName: "Admin", EmailAddress: "ada@acme.test"})
		userID = srv.AddUser(clerktest.User{FirstName: "Jane", LastName: "Doe", EmailAddress: "jane@acme.test", Username: "jane"})
		client = srv.Client()
		if _, _, err := client.OrganizationMemberships.Create(ctx, orgID, clerk.CreateOrganizationMembershipParams{UserID: admin, Role: "org:admin"}); err != nil {
			return fmt.Errorf("seeding the fake server: %w", err)
		}
		*write = true
		fmt.Fprintf(out, "No CLERK_SECRET_KEY: using an embedded fake Clerk at %s\n", srv.URL)
	}
	fmt.Fprintln(out)

	table := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(table, "OPERATION\tWHAT IT DID\tSTATUS\tTRACE ID\tRESULT")
	step := func(op, did string, resp *clerk.Response, err error, result string) error {
		status, trace := "-", "-"
		if resp != nil {
			status = fmt.Sprint(resp.StatusCode)
			if resp.TraceID != "" {
				trace = resp.TraceID
			}
		}
		if err != nil {
			result = "error: " + err.Error()
		}
		fmt.Fprintf(table, "%s\t%s\t%s\t%s\t%s\n", op, did, status, trace, result)
		return err
	}
	describe := func(m *clerk.OrganizationMembership) string {
		return fmt.Sprintf("%s role=%s metadata=%s", m.ID, m.Role, m.PublicMetadata)
	}
	s := client.OrganizationMemberships
	err := func() error {
		if *write {
			m, resp, err := s.Create(ctx, orgID, clerk.CreateOrganizationMembershipParams{
				UserID: userID, Role: "org:member", PublicMetadata: map[string]any{"team": map[string]any{"name": "core", "lead": false}},
			})
			if err := step("Create", "added the user as org:member", resp, err, describeOrNil(m, describe)); err != nil {
				return err
			}
			m, resp, err = s.Update(ctx, orgID, userID, clerk.UpdateOrganizationMembershipParams{Role: "org:admin"})
			if err := step("Update", "made the user org:admin", resp, err, describeOrNil(m, describe)); err != nil {
				return err
			}
			m, resp, err = s.UpdateMetadata(ctx, orgID, userID, clerk.UpdateOrganizationMembershipMetadataParams{
				PublicMetadata: map[string]any{"team": map[string]any{"lead": nil, "since": 2026}},
			})
			if err := step("UpdateMetadata", "merged team.since, deleted team.lead", resp, err, describeOrNil(m, describe)); err != nil {
				return err
			}
		}
		page, resp, err := s.List(ctx, orgID, &clerk.ListOrganizationMembershipsParams{Limit: 10, OrderBy: "-created_at"})
		if err := step("List", "listed the organization's members", resp, err, describePage(page)); err != nil {
			return err
		}
		page, resp, err = s.ListForInstance(ctx, &clerk.ListInstanceOrganizationMembershipsParams{Limit: 10})
		if err := step("ListForInstance", "listed memberships of the instance", resp, err, describePage(page)); err != nil {
			return err
		}
		page, resp, err = s.ListForUser(ctx, userID, &clerk.ListUserOrganizationMembershipsParams{Limit: 10})
		if err := step("ListForUser", "listed the user's organizations", resp, err, describeOrganizations(page)); err != nil {
			return err
		}
		if *write {
			m, resp, err := s.Delete(ctx, orgID, userID)
			if err := step("Delete", "removed the user again", resp, err, describeOrNil(m, describe)); err != nil {
				return err
			}
		}
		return nil
	}()
	table.Flush()
	return err
}

func describeOrNil(m *clerk.OrganizationMembership, describe func(*clerk.OrganizationMembership) string) string {
	if m == nil {
		return ""
	}
	return describe(m)
}

func describeOrganizations(page *clerk.OrganizationMemberships) string {
	if page == nil {
		return ""
	}
	var orgs []string
	for _, m := range page.Data {
		if m.Organization != nil {
			orgs = append(orgs, m.Organization.Name+"("+m.Role+")")
		}
	}
	return fmt.Sprintf("%d of %d: %s", len(page.Data), page.TotalCount, strings.Join(orgs, ", "))
}

func describePage(page *clerk.OrganizationMemberships) string {
	if page == nil {
		return ""
	}
	var users []string
	for _, m := range page.Data {
		if m.PublicUserData != nil {
			users = append(users, m.PublicUserData.UserID+"("+m.Role+")")
		}
	}
	return fmt.Sprintf("%d of %d: %s", len(page.Data), page.TotalCount, strings.Join(users, ", "))
}
