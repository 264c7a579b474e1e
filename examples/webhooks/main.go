// Command webhooks keeps an in-memory mirror of one organization's members
// from Clerk's webhook events: it backfills the mirror with All, then applies
// organizationMembership.created, .updated and .deleted events, verified by
// webhooks.Handler, idempotently (redeliveries of an event ID are
// acknowledged without being applied again) and ignoring stale ones (by
// updated_at), so that it converges whatever the order of delivery.
//
//	go run ./examples/webhooks
//
// It runs against an embedded clerktest server that delivers signed events
// as Clerk does through Svix, makes a few changes through the API, and prints
// the mirror after each step. Against Clerk, mount the same handler on a
// public HTTPS URL, add it as an endpoint in the Clerk dashboard (Webhooks),
// and pass its signing secret to webhooks.NewVerifier.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/webhooks"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webhooks:", err)
		os.Exit(1)
	}
}

// run is main without the process: the test calls it too.
func run(ctx context.Context, out io.Writer) error {
	srv := clerktest.NewServer()
	defer srv.Close()
	client := srv.Client()
	org := srv.AddOrganization("Acme Corp")
	users := map[string]string{}
	for _, name := range []string{"ada", "bob", "cy", "dee", "eve"} {
		users[name] = srv.AddUser(clerktest.User{FirstName: name, Username: name})
	}
	srv.AddMembership(org, users["ada"], clerktest.RoleAdmin)
	srv.AddMembership(org, users["bob"], clerktest.RoleMember)
	names := map[string]string{}
	for name, id := range users {
		names[id] = name
	}

	// The receiving service: a mirror behind a verifying handler.
	mirror := NewMirror(org)
	receiver := httptest.NewUnstartedServer(nil)
	secret := srv.AddWebhook("http://" + receiver.Listener.Addr().String() + "/webhooks/clerk")
	verifier, err := webhooks.NewVerifier(secret)
	if err != nil {
		return err
	}
	receiver.Config.Handler = webhooks.Handler(verifier, mirror.Apply)
	receiver.Start()
	defer receiver.Close()

	if err := mirror.Backfill(ctx, client); err != nil {
		return err
	}
	show := func(step string) {
		lines := mirror.Members()
		for i, l := range lines {
			id, role, _ := strings.Cut(l, " ")
			lines[i] = names[id] + "=" + role
		}
		slices.Sort(lines) // by name, not by user ID, which clerktest draws at random
		fmt.Fprintf(out, "%-34s %s\n", step+":", strings.Join(lines, " "))
	}
	show("after backfill")

	s := client.OrganizationMemberships
	steps := []struct {
		name string
		do   func() error
	}{
		{"cy and dee join", func() error {
			for _, name := range []string{"cy", "dee"} {
				if _, _, err := s.Create(ctx, org, clerk.CreateOrganizationMembershipParams{UserID: users[name], Role: clerktest.RoleMember}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"bob becomes an admin", func() error {
			_, _, err := s.Update(ctx, org, users["bob"], clerk.UpdateOrganizationMembershipParams{Role: clerktest.RoleAdmin})
			return err
		}},
		{"cy leaves, eve joins", func() error {
			if _, _, err := s.Delete(ctx, org, users["cy"]); err != nil {
				return err
			}
			_, _, err := s.Create(ctx, org, clerk.CreateOrganizationMembershipParams{UserID: users["eve"], Role: clerktest.RoleMember})
			return err
		}},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			return fmt.Errorf("%s: %w", step.name, err)
		}
		if err := srv.FlushWebhooks(ctx); err != nil {
			return err
		}
		show(step.name)
	}

	want, err := fromClerk(ctx, client, org)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "events delivered: %d; mirror equals Clerk: %t\n", len(srv.WebhookDeliveries()), slices.Equal(mirror.Members(), want))
	return nil
}
