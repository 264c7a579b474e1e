package webhooks

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignMatchesTheStandardWebhooksKnownAnswer(t *testing.T) {
	got, err := Sign(katSecret, katID, time.Unix(katTimestamp, 0), []byte(katBody))
	require.NoError(t, err)
	assert.Equal(t, katSignature, got)
}

func TestSignAcceptsASecretWithoutItsPrefix(t *testing.T) {
	got, err := Sign(strings.TrimPrefix(katSecret, "whsec_"), katID, time.Unix(katTimestamp, 0), []byte(katBody))
	require.NoError(t, err)
	assert.Equal(t, katSignature, got)
}

func TestSignRefusesABadSecretWithoutRevealingIt(t *testing.T) {
	const secret = "whsec_not*base64*at*all"
	_, err := Sign(secret, katID, time.Unix(katTimestamp, 0), []byte(katBody))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "not*base64")
	assert.Equal(t, "webhooks: the signing secret is not valid base64 after its whsec_ prefix; copy it again from the Clerk dashboard", err.Error())
}
