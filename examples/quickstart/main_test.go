package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartRunsAllSevenOperationsAgainstTheEmbeddedServer(t *testing.T) {
	var out bytes.Buffer
	noEnv := func(string) string { return "" }
	require.NoError(t, run(context.Background(), &out, noEnv, nil))

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 10, out.String())
	assert.Contains(t, lines[0], "using an embedded fake Clerk at http://127.0.0.1:")
	assert.Regexp(t, `^OPERATION\s+WHAT IT DID\s+STATUS\s+TRACE ID\s+RESULT$`, lines[2])
	for i, op := range []string{"Create", "Update", "UpdateMetadata", "List", "ListForInstance", "ListForUser", "Delete"} {
		assert.Regexp(t, `^`+op+`\s+.+\s+200\s+[0-9A-Za-z]{32}\s+\S`, lines[3+i])
	}
	assert.Contains(t, lines[5], `metadata={"team":{"name":"core","since":2026}}`, "the nested merge deleted lead and added since")
	assert.Contains(t, lines[6], "2 of 2: ")
	assert.Contains(t, lines[8], "1 of 1: Acme Corp(org:admin)", "the user's one organization, with the role")
}

func TestQuickstartWithAKeyNeedsTheOrganizationAndUser(t *testing.T) {
	env := map[string]string{"CLERK_SECRET_KEY": "sk_test_x"}
	err := run(context.Background(), &bytes.Buffer{}, func(k string) string { return env[k] }, nil)
	require.EqualError(t, err, "with CLERK_SECRET_KEY set, also set CLERK_ORGANIZATION_ID and CLERK_USER_ID")
}

func TestQuickstartWithAKeyOnlyReadsUnlessToldToWrite(t *testing.T) {
	srv := clerktest.NewServer()
	defer srv.Close()
	org := srv.AddOrganization("Real-ish")
	admin := srv.AddUser(clerktest.User{FirstName: "Ada"})
	_, _, err := srv.Client().OrganizationMemberships.Create(context.Background(), org, clerk.CreateOrganizationMembershipParams{UserID: admin, Role: "org:admin"})
	require.NoError(t, err)
	env := map[string]string{
		"CLERK_SECRET_KEY": srv.SecretKey, "CLERK_API_URL": srv.URL,
		"CLERK_ORGANIZATION_ID": org, "CLERK_USER_ID": srv.AddUser(clerktest.User{FirstName: "Jane"}),
	}
	getenv := func(k string) string { return env[k] }

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, getenv, nil))
	assert.Contains(t, out.String(), "Read-only: pass -write")
	assert.Equal(t, 1, srv.CountRequests("POST", ""), "only the setup's create")
	assert.Equal(t, 3, srv.CountRequests("GET", ""))
	assert.Equal(t, 0, srv.CountRequests("PATCH", ""))
	assert.Equal(t, 0, srv.CountRequests("DELETE", ""))

	out.Reset()
	require.NoError(t, run(context.Background(), &out, getenv, []string{"-write"}))
	assert.Equal(t, 2, srv.CountRequests("POST", ""))
	assert.Equal(t, 2, srv.CountRequests("PATCH", ""))
	assert.Equal(t, 1, srv.CountRequests("DELETE", ""))
	assert.Contains(t, out.String(), "removed the user again")
}
