package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/membersync"
)

// person is one user of the embedded instance: how the organization has
// them today and how the built-in desired list wants them. An empty role
// means "not a member" (today) or "not listed" (wanted); an empty team means
// no team in the public metadata.
type person struct {
	username             string
	role, team           string
	wantRole, wantTeam   string
	wantMetadataUnspoken bool // the desired list says nothing about metadata
}

// people is the embedded organization, Acme Robotics: 40 members, three of
// them admins and two in billing, and three users who are about to join.
// The built-in desired list removes two members who left, adds the three,
// promotes one, demotes another and moves a few between teams.
var people = []person{
	{"ada.lovelace", "org:admin", "platform", "org:admin", "platform", false},
	{"alan.turing", "org:admin", "research", "org:member", "research", false},
	{"grace.hopper", "org:admin", "compilers", "org:admin", "compilers", false},
	{"barbara.liskov", "org:member", "research", "org:admin", "research", false},
	{"edsger.dijkstra", "org:member", "research", "org:member", "research", false},
	{"donald.knuth", "org:member", "research", "org:member", "research", false},
	{"margaret.hamilton", "org:member", "platform", "org:member", "platform", false},
	{"john.mccarthy", "org:member", "research", "org:member", "research", false},
	{"frances.allen", "org:member", "compilers", "org:member", "compilers", false},
	{"ken.thompson", "org:member", "platform", "org:member", "platform", false},
	{"dennis.ritchie", "org:member", "compilers", "org:member", "compilers", false},
	{"radia.perlman", "org:member", "platform", "org:member", "security", false},
	{"tim.berners-lee", "org:member", "platform", "org:member", "platform", false},
	{"vint.cerf", "org:member", "platform", "org:member", "platform", false},
	{"leslie.lamport", "org:member", "research", "org:member", "research", false},
	{"shafi.goldwasser", "org:member", "security", "org:member", "security", false},
	{"niklaus.wirth", "org:member", "compilers", "org:member", "compilers", false},
	{"tony.hoare", "org:member", "research", "org:member", "research", false},
	{"adele.goldberg", "org:member", "", "org:member", "", true},
	{"alan.kay", "org:member", "", "org:member", "", true},
	{"katherine.johnson", "org:billing", "", "org:billing", "", true},
	{"dorothy.vaughan", "org:billing", "", "org:billing", "", true},
	{"mary.jackson", "org:member", "research", "org:member", "research", false},
	{"claude.shannon", "org:member", "research", "org:member", "research", false},
	{"john.backus", "org:member", "compilers", "org:member", "compilers", false},
	{"jean.sammet", "org:member", "compilers", "org:member", "compilers", false},
	{"robert.kahn", "org:member", "platform", "org:member", "platform", false},
	{"whitfield.diffie", "org:member", "security", "org:member", "security", false},
	{"martin.hellman", "org:member", "security", "org:member", "security", false},
	{"ron.rivest", "org:member", "security", "org:member", "security", false},
	{"adi.shamir", "org:member", "security", "org:member", "security", false},
	{"len.adleman", "org:member", "research", "org:member", "security", false},
	{"butler.lampson", "org:member", "platform", "org:member", "platform", false},
	{"fran.bilas", "org:member", "platform", "", "", false},
	{"kathleen.booth", "org:member", "compilers", "", "", false},
	{"sophie.wilson", "org:member", "platform", "org:member", "platform", false},
	{"steve.furber", "org:member", "platform", "org:member", "platform", false},
	{"guido.vanrossum", "org:member", "", "org:member", "compilers", false},
	{"rob.pike", "org:member", "compilers", "org:member", "compilers", false},
	{"robert.griesemer", "org:member", "compilers", "org:member", "compilers", false},
	{"bjarne.stroustrup", "", "", "org:member", "compilers", false},
	{"james.gosling", "", "", "org:member", "compilers", false},
	{"anders.hejlsberg", "", "", "org:member", "", true},
}

// embeddedTarget starts a clerktest server seeded with people and returns
// the target to sync, and a function that stops the server.
func embeddedTarget(ctx context.Context, cfg *config, stdout io.Writer) (*target, func(), error) {
	if cfg.org != "" {
		return nil, nil, errors.New("-org needs CLERK_SECRET_KEY; the embedded server has its own organization")
	}
	srv := clerktest.NewServer()
	org := srv.AddOrganization("Acme Robotics")
	srv.AddRole("org:billing", "Billing", "org:sys_billing:manage")
	// Plans list each group of changes by user ID, and clerktest's IDs are
	// random. So that the plan reads the same on every run (in username
	// order), the users are made first and their sorted IDs handed out to
	// people in username order; the fake users themselves carry no names.
	ids := map[string]string{} // username -> user ID
	var pairs []string         // user ID, username, for strings.Replacer
	sorted := make([]string, len(people))
	for i := range sorted {
		sorted[i] = srv.AddUser(clerktest.User{})
	}
	slices.Sort(sorted)
	usernames := make([]string, len(people))
	for i, p := range people {
		usernames[i] = p.username
	}
	slices.Sort(usernames)
	for i, name := range usernames {
		ids[name] = sorted[i]
		pairs = append(pairs, sorted[i], name)
	}
	members := 0
	for _, p := range people {
		if p.role == "" {
			continue
		}
		srv.AddMembership(org, ids[p.username], p.role)
		members++
	}
	client := srv.Client()
	// Teams go in through the API, as Clerk's dashboard would put them.
	for _, p := range people {
		if p.role != "" && p.team != "" {
			_, _, err := client.OrganizationMemberships.UpdateMetadata(ctx, org, ids[p.username],
				clerk.UpdateOrganizationMembershipMetadataParams{PublicMetadata: map[string]any{"team": p.team}})
			if err != nil {
				srv.Close()
				return nil, nil, err
			}
		}
	}

	resolve := func(s string) string {
		if id, ok := ids[s]; ok {
			return id
		}
		return s
	}
	t := &target{client: client, org: org, show: strings.NewReplacer(pairs...).Replace}
	for _, k := range cfg.keep {
		t.keep = append(t.keep, resolve(k))
	}
	fmt.Fprintf(stdout, "embedded fake Clerk: organization Acme Robotics, %d members; user IDs shown as usernames\n", members)
	if cfg.desired == "" {
		for _, p := range people {
			if p.wantRole == "" {
				continue
			}
			m := membersync.Member{UserID: ids[p.username], Role: p.wantRole}
			if !p.wantMetadataUnspoken {
				m.PublicMetadata = map[string]any{}
				if p.wantTeam != "" {
					m.PublicMetadata["team"] = p.wantTeam
				}
			}
			t.desired = append(t.desired, m)
		}
		return t, srv.Close, nil
	}
	desired, err := readDesired(cfg.desired, resolve)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	t.desired = desired
	return t, srv.Close, nil
}
