package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTheBuiltInListAddsTwoInvitesTwelveInTwoBulkCallsAndShowsOneAccepted(t *testing.T) {
	t.Setenv("CLERK_SECRET_KEY", "")
	cfg, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	srv := newEmbedded(cfg)
	defer srv.Close()
	var out bytes.Buffer
	require.NoError(t, inviteAndAccept(context.Background(), srv, cfg, &out))

	want := "added grace@acme.test as org:member (has an account)\n" +
		"added Alan.Turing@ACME.test as org:member (has an account)\n" +
		"already a member: ada@acme.test\n"
	for _, name := range []string{"katherine", "margaret", "hedy", "barbara", "frances", "radia", "jean", "evelyn", "sophie", "annie", "mary", "joan"} {
		want += "invited " + name + "@acme.test as org:member (pending)\n"
	}
	want += "15 addresses looked up in 1 call: 2 added, 1 already members, 12 invited in 2 bulk calls\n" +
		"katherine@acme.test accepted the invitation (now accepted): a member as org:member; the organization has 4 members\n"
	assert.Equal(t, want, out.String())

	org := "/v1/organizations/" + cfg.org
	assert.Equal(t, 1, srv.CountRequests("GET", "/v1/users"), "one lookup for every address")
	assert.Equal(t, 3, srv.CountRequests("POST", org+"/memberships"), "one add per address with an account")
	assert.Equal(t, 2, srv.CountRequests("POST", org+"/invitations/bulk"), "ten invitations per bulk call")
	assert.Equal(t, 0, srv.CountRequests("POST", org+"/invitations"), "no single invitations")
}

func TestAddressesAndRoleFromTheCommandLine(t *testing.T) {
	t.Setenv("CLERK_SECRET_KEY", "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-role", "org:admin", "grace@acme.test", " new@acme.test", "NEW@acme.test", ""}, &out, io.Discard))
	assert.Equal(t, "added grace@acme.test as org:admin (has an account)\n"+
		"invited new@acme.test as org:admin (pending)\n"+
		"2 addresses looked up in 1 call: 1 added, 0 already members, 1 invited in 1 bulk calls\n"+
		"new@acme.test accepted the invitation (now accepted): a member as org:admin; the organization has 3 members\n", out.String(),
		"addresses are trimmed and each is taken once, ignoring case")
}

func TestBadInputIsRefusedBeforeAnythingIsSent(t *testing.T) {
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("p%d@acme.test", i)
	}
	tests := []struct {
		name, key string
		args      []string
		want      string
	}{
		{"more than 100 addresses", "", many, "101 addresses given; at most 100 per run"},
		{"-org without a secret key", "", []string{"-org", "org_1", "a@b.co"}, "-org names an organization of the real API"},
		{"a secret key without -org", "sk_test_x", []string{"a@b.co"}, "with CLERK_SECRET_KEY, give -org and at least one email address"},
		{"a secret key without addresses", "sk_test_x", []string{"-org", "org_1"}, "with CLERK_SECRET_KEY, give -org and at least one email address"},
		{"an unknown flag", "", []string{"-roles", "x"}, "flag provided but not defined: -roles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CLERK_SECRET_KEY", tt.key)
			t.Setenv("CLERK_API_URL", "http://127.0.0.1:1") // nothing listens there, were anything sent
			var out bytes.Buffer
			err := run(context.Background(), tt.args, &out, io.Discard)
			require.Error(t, err)
			assert.True(t, strings.Contains(err.Error(), tt.want), err.Error())
			assert.Empty(t, out.String())
		})
	}
	t.Run("an address that is not one is refused by the client", func(t *testing.T) {
		t.Setenv("CLERK_SECRET_KEY", "")
		err := run(context.Background(), []string{"jane"}, io.Discard, io.Discard)
		assert.ErrorContains(t, err, `looking the addresses up: clerk: invalid email_address: must hold exactly one "@"`)
	})
}
