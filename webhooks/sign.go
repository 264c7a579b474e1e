package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// secretPrefix starts every signing secret as Clerk's dashboard shows it.
const secretPrefix = "whsec_"

// The errors of decodeSecret, which callers prefix with "webhooks: ".
var (
	errEmptySecret  = errors.New("the signing secret is empty; pass the whsec_... secret of the endpoint")
	errSecretBase64 = errors.New("the signing secret is not valid base64 after its whsec_ prefix; copy it again from the Clerk dashboard")
)

// decodeSecret returns the HMAC key of a signing secret given as
// "whsec_<base64>" or as the bare base64. Its error never contains the secret.
func decodeSecret(secret string) ([]byte, error) {
	raw := strings.TrimPrefix(secret, secretPrefix)
	if raw == "" {
		return nil, errEmptySecret
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, errSecretBase64
	}
	return key, nil
}

// Sign returns the svix-signature value ("v1,<base64>") Clerk would send for
// body with the given message ID and timestamp, signed with secret
// ("whsec_" + base64, the prefix optional). It is meant for tests that
// deliver events to a Handler; its error never contains the secret.
func Sign(secret, id string, timestamp time.Time, body []byte) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", fmt.Errorf("webhooks: %w", err)
	}
	return "v1," + base64.StdEncoding.EncodeToString(signature(key, id, strconv.FormatInt(timestamp.Unix(), 10), body)), nil
}

// signature is HMAC-SHA256 over "<id>.<timestamp>.<body>" keyed with key.
// Verify computes the same value without allocating (see macState.sign); the
// known-answer tests hold both to the Standard Webhooks example.
func signature(key []byte, id, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}
