package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorsExampleTellsEveryCaseApart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	assert.Equal(t, "validation: param=user_id response=<nil>\n"+
		"not found: true\n"+
		"last admin: 400 There has to be at least one organization member with the minimum required permissions\n"+
		"after two 503s: status=200 attempts=3\n"+
		"rate limited: retry after 1m0s\n", out.String())
}
