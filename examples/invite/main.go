// Command invite adds people to an organization by email address, as an
// onboarding backend does when an HR system or an admin hands it a list of
// addresses: it looks the addresses up with one Users.List call, adds those
// who already have a Clerk account as members at once, and invites the rest
// with CreateBulk, ten invitations per call (Clerk allows 50 bulk calls and
// 250 single invitations per hour). It prints who got what.
//
//	go run ./examples/invite                               # a built-in list, against an embedded fake Clerk
//	go run ./examples/invite -role org:admin a@x.io b@x.io # flags first, then up to 100 addresses
//
// Without CLERK_SECRET_KEY it runs against an embedded clerktest server with
// an organization, its admin and two people who already have accounts, and
// afterwards accepts the first invitation as its invitee would, to show the
// new member appear. With CLERK_SECRET_KEY set it talks to the real API
// (CLERK_API_URL overrides the base URL), needs -org and at least one
// address, and sends real invitation emails:
//
//	CLERK_SECRET_KEY=sk_... go run ./examples/invite -org org_123 -role org:member jane@acme.com
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

// maxAddresses is how many addresses one Users.List call looks up.
const maxAddresses = 100

// bulkSize is how many invitations one CreateBulk call carries.
const bulkSize = 10

// demoAddresses is the list invited in the embedded mode when none is given:
// two people with accounts (one spelled in another case), the admin, who is
// already a member, and twelve newcomers, which take two bulk calls.
var demoAddresses = []string{
	"grace@acme.test", "Alan.Turing@ACME.test", "ada@acme.test",
	"katherine@acme.test", "margaret@acme.test", "hedy@acme.test", "barbara@acme.test",
	"frances@acme.test", "radia@acme.test", "jean@acme.test", "evelyn@acme.test",
	"sophie@acme.test", "annie@acme.test", "mary@acme.test", "joan@acme.test",
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "invite:", err)
		}
		os.Exit(1)
	}
}

// config is what the flags and arguments say.
type config struct {
	org       string
	role      string
	addresses []string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("invite", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	fs.StringVar(&c.org, "org", "", "organization `ID`; required with CLERK_SECRET_KEY")
	fs.StringVar(&c.role, "role", "org:member", "role `key` the people get")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, a := range fs.Args() {
		a = strings.TrimSpace(a)
		if key := strings.ToLower(a); a != "" && !seen[key] {
			seen[key] = true
			c.addresses = append(c.addresses, a)
		}
	}
	if len(c.addresses) > maxAddresses {
		return nil, fmt.Errorf("%d addresses given; at most %d per run (one Users.List call)", len(c.addresses), maxAddresses)
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if os.Getenv("CLERK_SECRET_KEY") != "" {
		if cfg.org == "" || len(cfg.addresses) == 0 {
			return errors.New("with CLERK_SECRET_KEY, give -org and at least one email address")
		}
		client, err := clerk.NewClientFromEnv(clerk.WithUserAgent("clerk-go-example-invite"))
		if err != nil {
			return err
		}
		_, err = invite(ctx, client, cfg, stdout)
		return err
	}
	if cfg.org != "" {
		return errors.New("-org names an organization of the real API; set CLERK_SECRET_KEY too")
	}
	srv := newEmbedded(cfg)
	defer srv.Close()
	return inviteAndAccept(ctx, srv, cfg, stdout)
}

// newEmbedded starts a fake Clerk with the organization Acme Corp, its admin
// Ada and two people with accounts, sets cfg.org to the organization and
// gives cfg the built-in list when it has none.
func newEmbedded(cfg *config) *clerktest.Server {
	srv := clerktest.NewServer()
	cfg.org = srv.AddOrganization("Acme Corp")
	ada := srv.AddUser(clerktest.User{FirstName: "Ada", EmailAddress: "ada@acme.test"})
	srv.AddMembership(cfg.org, ada, clerktest.RoleAdmin)
	srv.AddUser(clerktest.User{FirstName: "Grace", EmailAddress: "grace@acme.test"})
	srv.AddUser(clerktest.User{FirstName: "Alan", EmailAddress: "alan.turing@acme.test"})
	if len(cfg.addresses) == 0 {
		cfg.addresses = demoAddresses
	}
	return srv
}

// inviteAndAccept invites, then accepts the first invitation as its invitee
// would and shows the new member.
func inviteAndAccept(ctx context.Context, srv *clerktest.Server, cfg *config, out io.Writer) error {
	client := srv.Client()
	invited, err := invite(ctx, client, cfg, out)
	if err != nil || len(invited) == 0 {
		return err
	}
	first := invited[0]
	userID := srv.AcceptInvitation(first.ID)
	inv, _, err := client.OrganizationInvitations.Get(ctx, cfg.org, first.ID)
	if err != nil {
		return err
	}
	page, _, err := client.OrganizationMemberships.List(ctx, cfg.org, &clerk.ListOrganizationMembershipsParams{UserIDs: []string{userID}})
	if err != nil {
		return err
	}
	if len(page.Data) != 1 {
		return fmt.Errorf("%s accepted, but is not listed as a member", first.EmailAddress)
	}
	all, _, err := client.OrganizationMemberships.List(ctx, cfg.org, &clerk.ListOrganizationMembershipsParams{Limit: 1})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s accepted the invitation (now %s): a member as %s; the organization has %d members\n",
		first.EmailAddress, inv.Status, page.Data[0].Role, all.TotalCount)
	return nil
}

// invite adds the addresses that have accounts and invites the others, and
// returns the invitations it sent.
func invite(ctx context.Context, client *clerk.Client, cfg *config, out io.Writer) ([]*clerk.OrganizationInvitation, error) {
	users, _, err := client.Users.List(ctx, &clerk.ListUsersParams{EmailAddresses: cfg.addresses, Limit: maxAddresses})
	if err != nil {
		return nil, fmt.Errorf("looking the addresses up: %w", err)
	}
	owner := map[string]*clerk.User{} // lower-cased address → its user
	for _, u := range users {
		for _, e := range u.EmailAddresses {
			owner[strings.ToLower(e.EmailAddress)] = u
		}
	}
	var newcomers []string
	added, members := 0, 0
	for _, a := range cfg.addresses {
		u := owner[strings.ToLower(a)]
		if u == nil {
			newcomers = append(newcomers, a)
			continue
		}
		_, _, err := client.OrganizationMemberships.Create(ctx, cfg.org, clerk.CreateOrganizationMembershipParams{UserID: u.ID, Role: cfg.role})
		var apiErr *clerk.APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.HasCode("already_a_member_in_organization"):
			members++
			fmt.Fprintf(out, "already a member: %s\n", a)
		case err != nil:
			return nil, fmt.Errorf("adding %s: %w", a, err)
		default:
			added++
			fmt.Fprintf(out, "added %s as %s (has an account)\n", a, cfg.role)
		}
	}

	var invited []*clerk.OrganizationInvitation
	calls := 0
	for start := 0; start < len(newcomers); start += bulkSize {
		chunk := newcomers[start:min(start+bulkSize, len(newcomers))]
		params := make([]clerk.CreateOrganizationInvitationParams, len(chunk))
		for i, a := range chunk {
			params[i] = clerk.CreateOrganizationInvitationParams{EmailAddress: a, Role: cfg.role}
		}
		page, _, err := client.OrganizationInvitations.CreateBulk(ctx, cfg.org, params)
		if err != nil {
			return invited, fmt.Errorf("inviting %s: %w", strings.Join(chunk, ", "), err)
		}
		calls++
		for _, inv := range page.Data {
			fmt.Fprintf(out, "invited %s as %s (%s)\n", inv.EmailAddress, inv.Role, inv.Status)
		}
		invited = append(invited, page.Data...)
	}
	fmt.Fprintf(out, "%d addresses looked up in 1 call: %d added, %d already members, %d invited in %d bulk calls\n",
		len(cfg.addresses), added, members, len(invited), calls)
	return invited, nil
}
