package webhooks

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewVerifier(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		wantErr string // "" when NewVerifier must succeed
	}{
		{"accepts a whsec_ secret", []string{katSecret}, ""},
		{"accepts a secret without its whsec_ prefix", []string{strings.TrimPrefix(katSecret, "whsec_")}, ""},
		{"accepts two secrets during a rotation", []string{katSecret, otherSecret}, ""},
		{"refuses no secret at all", nil, "webhooks: no signing secret; pass the whsec_... secret of the endpoint"},
		{"refuses an empty secret", []string{""}, "webhooks: the signing secret is empty; pass the whsec_... secret of the endpoint"},
		{"refuses a bare prefix", []string{"whsec_"}, "webhooks: the signing secret is empty; pass the whsec_... secret of the endpoint"},
		{"refuses a secret that is not base64, without quoting it", []string{"whsec_Mf!Q9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
			"webhooks: the signing secret is not valid base64 after its whsec_ prefix; copy it again from the Clerk dashboard"},
		{"says which of several secrets is bad", []string{katSecret, "whsec_Mf!Q9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
			"webhooks: secret 2 of 2: the signing secret is not valid base64 after its whsec_ prefix; copy it again from the Clerk dashboard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(tt.secrets...)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Len(t, v.keys, len(tt.secrets))
				return
			}
			assert.Nil(t, v)
			require.EqualError(t, err, tt.wantErr)
		})
	}
}

func TestVerifyAcceptsTheStandardWebhooksKnownAnswer(t *testing.T) {
	v, _ := newVerifier(t, time.Unix(katTimestamp, 0), katSecret)
	h := http.Header{}
	h.Set("svix-id", katID)
	h.Set("svix-timestamp", strconv.Itoa(katTimestamp))
	h.Set("svix-signature", katSignature)
	require.NoError(t, v.Verify(h, []byte(katBody)))

	standard := http.Header{}
	standard.Set("webhook-id", katID)
	standard.Set("webhook-timestamp", strconv.Itoa(katTimestamp))
	standard.Set("webhook-signature", katSignature)
	require.NoError(t, v.Verify(standard, []byte(katBody)), "with the Standard Webhooks header names")
}

func TestVerify(t *testing.T) {
	const id, body = "msg_2g7np7Hrk0SN6kj5EDMLDaKNL0S", `{"type":"organizationMembership.created"}`
	good := signed(t, katSecret, id, testNow, body).Get("svix-signature")
	bad := signed(t, otherSecret, id, testNow, body).Get("svix-signature")
	ts := strconv.FormatInt(testNow.Unix(), 10)

	tests := []struct {
		name    string
		secrets []string
		header  map[string]string
		body    string
		want    error // nil when Verify must accept
	}{
		{"accepts a good signature", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": good}, body, nil},
		{"accepts the webhook-* header names", []string{katSecret}, map[string]string{"webhook-id": id, "webhook-timestamp": ts, "webhook-signature": good}, body, nil},
		{"accepts a good signature after a bad one", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": bad + " " + good}, body, nil},
		{"accepts a good signature among other versions and extra spaces", []string{katSecret},
			map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": "v1a,bm90IGEgc2lnbmF0dXJl  v2," + good[3:] + "  " + good}, body, nil},
		{"accepts the delivery signed with the new secret during a rotation", []string{otherSecret, katSecret},
			map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": good}, body, nil},
		{"accepts the delivery signed with the old secret during a rotation", []string{katSecret, otherSecret},
			map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": good}, body, nil},

		{"refuses a signature made with another secret", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": bad}, body, ErrInvalidSignature},
		{"refuses a body changed by one byte", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": good}, body + " ", ErrInvalidSignature},
		{"refuses another message ID", []string{katSecret}, map[string]string{"svix-id": id + "x", "svix-timestamp": ts, "svix-signature": good}, body, ErrInvalidSignature},
		{"refuses another timestamp within the tolerance", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": strconv.FormatInt(testNow.Unix()-1, 10), "svix-signature": good}, body, ErrInvalidSignature},
		{"refuses the same timestamp written with a leading zero", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": "0" + ts, "svix-signature": good}, body, ErrInvalidSignature},
		{"refuses a good MAC under a version other than v1", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": "v2," + good[3:]}, body, ErrInvalidSignature},
		{"refuses a good MAC without its version", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": good[3:]}, body, ErrInvalidSignature},
		{"refuses a good MAC without its padding", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": strings.TrimSuffix(good, "=")}, body, ErrInvalidSignature},
		{"refuses a good signature past the first ten entries", []string{katSecret},
			map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": strings.Repeat(bad+" ", 10) + good}, body, ErrInvalidSignature},
		{"refuses a delivery signed with neither secret of a rotation", []string{katSecret, otherSecret},
			map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}, body, ErrInvalidSignature},

		{"refuses a delivery without an ID header", []string{katSecret}, map[string]string{"svix-timestamp": ts, "svix-signature": good}, body, ErrMissingHeaders},
		{"refuses a delivery without a timestamp header", []string{katSecret}, map[string]string{"svix-id": id, "svix-signature": good}, body, ErrMissingHeaders},
		{"refuses a delivery without a signature header", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": ts}, body, ErrMissingHeaders},
		{"refuses a delivery without any header", []string{katSecret}, map[string]string{}, body, ErrMissingHeaders},
		{"refuses svix-* and webhook-* names mixed", []string{katSecret}, map[string]string{"svix-id": id, "webhook-timestamp": ts, "webhook-signature": good}, body, ErrMissingHeaders},
		{"refuses an ID longer than 256 bytes", []string{katSecret}, map[string]string{"svix-id": strings.Repeat("m", 257), "svix-timestamp": ts, "svix-signature": good}, body, ErrMissingHeaders},
		{"refuses a signature header longer than 4 KiB", []string{katSecret},
			map[string]string{"svix-id": id, "svix-timestamp": ts, "svix-signature": good + strings.Repeat(" ", 4096)}, body, ErrMissingHeaders},
		{"refuses a timestamp in milliseconds", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": ts + "000", "svix-signature": good}, body, ErrTimestampOutOfTolerance},
		{"refuses a timestamp with a fraction", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": ts + ".5", "svix-signature": good}, body, ErrMissingHeaders},
		{"refuses a timestamp with a sign", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": "+" + ts, "svix-signature": good}, body, ErrMissingHeaders},
		{"refuses a negative timestamp", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": "-" + ts, "svix-signature": good}, body, ErrMissingHeaders},
		{"refuses a timestamp with spaces", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": " " + ts, "svix-signature": good}, body, ErrMissingHeaders},
		{"refuses a timestamp past int64", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": "9223372036854775808", "svix-signature": good}, body, ErrMissingHeaders},
		{"refuses a timestamp in RFC 3339", []string{katSecret}, map[string]string{"svix-id": id, "svix-timestamp": testNow.Format(time.RFC3339), "svix-signature": good}, body, ErrMissingHeaders},

		{"refuses a body over MaxBodySize before anything else", []string{katSecret}, map[string]string{}, strings.Repeat(" ", MaxBodySize+1), ErrBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := newVerifier(t, testNow, tt.secrets...)
			h := http.Header{}
			for k, val := range tt.header {
				h.Set(k, val)
			}
			err := v.Verify(h, []byte(tt.body))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			for _, other := range []error{ErrMissingHeaders, ErrTimestampOutOfTolerance, ErrInvalidSignature, ErrBodyTooLarge, ErrInvalidEvent} {
				if other != tt.want {
					assert.NotErrorIs(t, err, other)
				}
			}
		})
	}
}

func TestVerifyTimestampTolerance(t *testing.T) {
	const id, body = "msg_2g7np7Hrk0SN6kj5EDMLDaKNL0S", `{}`
	tests := []struct {
		name   string
		offset time.Duration // of the timestamp from now
		want   error
	}{
		{"accepts a delivery signed now", 0, nil},
		{"accepts a delivery exactly DefaultTolerance old", -DefaultTolerance, nil},
		{"accepts a delivery exactly DefaultTolerance ahead", DefaultTolerance, nil},
		{"refuses a delivery a second older than DefaultTolerance", -DefaultTolerance - time.Second, ErrTimestampOutOfTolerance},
		{"refuses a delivery a second further ahead than DefaultTolerance", DefaultTolerance + time.Second, ErrTimestampOutOfTolerance},
		{"refuses a delivery a day old", -24 * time.Hour, ErrTimestampOutOfTolerance},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := newVerifier(t, testNow, katSecret)
			err := v.Verify(signed(t, katSecret, id, testNow.Add(tt.offset), body), []byte(body))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestVerifyErrorsSayWhatFailed(t *testing.T) {
	const id, body = "msg_2g7np7Hrk0SN6kj5EDMLDaKNL0S", `{}`
	v, _ := newVerifier(t, testNow, katSecret)

	h := signed(t, katSecret, id, testNow.Add(-time.Hour), body)
	assert.EqualError(t, v.Verify(h, []byte(body)),
		"webhooks: svix-timestamp is 1h0m0s old, more than the 5m0s tolerance: webhook timestamp out of tolerance")

	h = signed(t, katSecret, id, testNow.Add(10*time.Minute), body)
	assert.EqualError(t, v.Verify(h, []byte(body)),
		"webhooks: svix-timestamp is 10m0s in the future, more than the 5m0s tolerance: webhook timestamp out of tolerance")

	h = signed(t, katSecret, id, testNow, body)
	h.Set("svix-timestamp", "soon")
	assert.EqualError(t, v.Verify(h, []byte(body)),
		"webhooks: svix-timestamp is not a Unix time in seconds: webhook headers missing or malformed")

	h = signed(t, katSecret, id, testNow, body)
	h.Del("svix-signature")
	assert.EqualError(t, v.Verify(h, []byte(body)), "webhooks: the svix-signature header is missing: webhook headers missing or malformed")

	h = http.Header{"Webhook-Id": {id}, "Webhook-Timestamp": {"1716883200"}}
	assert.EqualError(t, v.Verify(h, []byte(body)), "webhooks: the webhook-signature header is missing: webhook headers missing or malformed")

	h = signed(t, otherSecret, id, testNow, body)
	assert.EqualError(t, v.Verify(h, []byte(body)), "webhooks: none of the 1 v1 signatures matches a signing secret: webhook signature invalid")

	h.Set("svix-signature", "v1a,c2lnbmF0dXJl")
	assert.EqualError(t, v.Verify(h, []byte(body)),
		"webhooks: no well-formed v1 signature among the first 10 entries of the signature header: webhook signature invalid")
}

func TestVerifyIsSafeForConcurrentUse(t *testing.T) {
	const body = `{"type":"organizationMembership.updated"}`
	v, _ := newVerifier(t, testNow, otherSecret, katSecret)
	errs := make(chan error, 8)
	for i := range 8 {
		h := signed(t, katSecret, "msg_"+strconv.Itoa(i), testNow, body)
		go func() {
			var err error
			for range 50 {
				if err = v.Verify(h, []byte(body)); err != nil {
					break
				}
			}
			errs <- err
		}()
	}
	for range 8 {
		require.NoError(t, <-errs)
	}
}

func TestVerifyAllocatesNothingWhateverTheBodySize(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random")
	}
	v, _ := newVerifier(t, testNow, katSecret)
	for _, size := range []int{0, 4 << 10, 64 << 10, MaxBodySize} {
		body := []byte(strings.Repeat("x", size))
		h := signed(t, katSecret, "msg_2g7np7Hrk0SN6kj5EDMLDaKNL0S", testNow, string(body))
		allocs := testing.AllocsPerRun(20, func() {
			if err := v.Verify(h, body); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, "allocations verifying a %d-byte body", size)
	}
}

// errorsIsAny reports whether err wraps one of targets.
func errorsIsAny(err error, targets ...error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
