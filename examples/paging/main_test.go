package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPagingCountsEveryRoleAndStopsEarly(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, 1200))
	assert.Equal(t, "walked 3 pages of up to 500:\n"+
		"  org:admin    300\n"+
		"  org:billing  300\n"+
		"  org:member   600\n"+
		"first admin: member00000 (found with 1 request)\n", out.String())
}
