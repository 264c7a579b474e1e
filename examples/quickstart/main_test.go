package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartRunsAllSixOperationsAgainstTheEmbeddedServer(t *testing.T) {
	var out bytes.Buffer
	noEnv := func(string) string { return "" }
	require.NoError(t, run(context.Background(), &out, noEnv, nil))

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 9, out.String())
	assert.Contains(t, lines[0], "using an embedded fake Clerk at http://127.0.0.1:")
	assert.Regexp(t, `^OPERATION\s+WHAT IT DID\s+STATUS\s+TRACE ID\s+RESULT$`, lines[2])
	for i, op := range []string{"Create", "Update", "UpdateMetadata", "List", "ListForInstance", "Delete"} {
		assert.Regexp(t, `^`+op+`\s+.+\s+200\s+[0-9A-Za-z]{32}\s+\S`, lines[3+i])
	}
	assert.Contains(t, lines[5], `metadata={"team":{"name":"core","since":2026}}`, "the nested merge deleted lead and added since")
	assert.Contains(t, lines[6], "2 of 2: ")
}

func TestQuickstartWithAKeyNeedsTheOrganizationAndUser(t *testing.T) {
	env := map[string]string{"CLERK_SECRET_KEY": "sk_test_x"}
	err := run(context.Background(), &bytes.Buffer{}, func(k string) string { return env[k] }, nil)
	require.EqualError(t, err, "with CLERK_SECRET_KEY set, also set CLERK_ORGANIZATION_ID and CLERK_USER_ID")
}
