package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultTolerance is how far a delivery's svix-timestamp may be from the
// receiver's clock, either way. Older deliveries are refused as replays, newer
// ones as the work of a bad clock.
const DefaultTolerance = 5 * time.Minute

// MaxBodySize is the largest delivery body accepted, in bytes. Clerk's
// membership events are a few kilobytes.
const MaxBodySize = 1 << 20

// Verify, ParseRequest and Handler report bad deliveries with errors that
// wrap one of these; test them with errors.Is. The messages say which header
// or check failed and never contain a secret.
var (
	// ErrMissingHeaders means the id, timestamp or signature header is
	// absent or malformed: empty, too long, or a timestamp that is not Unix
	// seconds.
	ErrMissingHeaders = errors.New("webhook headers missing or malformed")
	// ErrTimestampOutOfTolerance means the timestamp header is more than
	// DefaultTolerance away from now: a replay or a bad clock.
	ErrTimestampOutOfTolerance = errors.New("webhook timestamp out of tolerance")
	// ErrInvalidSignature means no v1 signature of the signature header
	// matches the body under any of the secrets.
	ErrInvalidSignature = errors.New("webhook signature invalid")
	// ErrBodyTooLarge means the body is larger than MaxBodySize.
	ErrBodyTooLarge = errors.New("webhook body too large")
	// ErrInvalidEvent means a verified body is not a JSON event object with
	// a type, or its data does not decode as the event type says.
	ErrInvalidEvent = errors.New("webhook event invalid")
)

// Limits on what Verify examines, so that a hostile delivery cannot cost
// unbounded memory or CPU before it is refused.
const (
	maxIDLen              = 256  // Svix message IDs are about 30 bytes
	maxTimestampLen       = 19   // the digits of the largest int64
	maxSignatureHeaderLen = 4096 // room for dozens of signatures
	maxSignatures         = 10   // entries examined per signature header
)

// encodedMACLen is the length of a base64 HMAC-SHA256, padding included.
const encodedMACLen = (sha256.Size + 2) / 3 * 4

// headerNames are the canonical names of a delivery's three headers.
type headerNames struct{ id, timestamp, signature string }

var (
	svixHeaders     = headerNames{"Svix-Id", "Svix-Timestamp", "Svix-Signature"}
	standardHeaders = headerNames{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"}
)

// A Verifier checks that deliveries were signed by Clerk with one of an
// endpoint's signing secrets. Make one with NewVerifier; it is safe for
// concurrent use.
type Verifier struct {
	keys []signingKey
	now  func() time.Time // the clock; tests set it
}

// signingKey pools the HMAC state of one secret, so that Verify allocates
// nothing however large the body.
type signingKey struct {
	pool sync.Pool // of *macState
}

// macState is an HMAC keyed with one secret, with the scratch space that
// signing and comparing need.
type macState struct {
	mac       hash.Hash
	prefix    [maxIDLen + 1 + maxTimestampLen + 1]byte // "<id>.<timestamp>."
	sum       [sha256.Size]byte
	encoded   [encodedMACLen]byte // base64 of sum
	candidate [encodedMACLen]byte // a received signature, copied for hmac.Equal
}

// NewVerifier returns a Verifier for an endpoint's signing secrets, given as
// Clerk's dashboard shows them ("whsec_" followed by base64; the prefix may be
// omitted). Pass both the old and the new secret while a rotation is under
// way: a delivery signed with either is accepted. It returns an error, which
// never contains a secret, when no secret is given or one is not valid base64.
func NewVerifier(secrets ...string) (*Verifier, error) {
	if len(secrets) == 0 {
		return nil, errors.New("webhooks: no signing secret; pass the whsec_... secret of the endpoint")
	}
	v := &Verifier{keys: make([]signingKey, len(secrets)), now: time.Now}
	for i, secret := range secrets {
		key, err := decodeSecret(secret)
		if err != nil {
			if len(secrets) > 1 {
				return nil, fmt.Errorf("webhooks: secret %d of %d: %w", i+1, len(secrets), err)
			}
			return nil, fmt.Errorf("webhooks: %w", err)
		}
		v.keys[i].pool.New = func() any { return &macState{mac: hmac.New(sha256.New, key)} }
	}
	return v, nil
}

// Verify checks body against the svix-id, svix-timestamp and svix-signature
// headers of h, or, when h has none of those, against webhook-id,
// webhook-timestamp and webhook-signature (the Standard Webhooks names). It
// accepts the delivery when the timestamp (Unix seconds) is within
// DefaultTolerance of now and one of the space-separated "v1,<base64>"
// signatures equals, compared in constant time, the HMAC-SHA256 of
// "<id>.<timestamp>.<body>" keyed with one of the secrets. Signatures of other
// versions are ignored, and so is every entry after the first ten; of a
// header sent more than once, only the first value counts.
//
// body must be the raw bytes received, before any decoding. The error wraps
// ErrBodyTooLarge, ErrMissingHeaders, ErrTimestampOutOfTolerance or
// ErrInvalidSignature, checked in that order.
func (v *Verifier) Verify(h http.Header, body []byte) error {
	_, err := v.verify(h, body)
	return err
}

// verify is Verify, returning also the message ID of the delivery.
func (v *Verifier) verify(h http.Header, body []byte) (id string, err error) {
	if len(body) > MaxBodySize {
		return "", fmt.Errorf("webhooks: the body is %d bytes, more than %d: %w", len(body), MaxBodySize, ErrBodyTooLarge)
	}
	names := svixHeaders
	if h.Get(svixHeaders.id) == "" && h.Get(svixHeaders.timestamp) == "" && h.Get(svixHeaders.signature) == "" {
		names = standardHeaders
	}
	id, ts, sigs := h.Get(names.id), h.Get(names.timestamp), h.Get(names.signature)
	switch {
	case id == "":
		return "", missing(names.id)
	case len(id) > maxIDLen:
		return "", fmt.Errorf("webhooks: the %s header is longer than %d bytes: %w", lower(names.id), maxIDLen, ErrMissingHeaders)
	case ts == "":
		return "", missing(names.timestamp)
	case sigs == "":
		return "", missing(names.signature)
	case len(sigs) > maxSignatureHeaderLen:
		return "", fmt.Errorf("webhooks: the %s header is longer than %d bytes: %w", lower(names.signature), maxSignatureHeaderLen, ErrMissingHeaders)
	}
	if err := v.checkTimestamp(ts, names); err != nil {
		return "", err
	}
	if err := v.checkSignatures(id, ts, sigs, body); err != nil {
		return "", err
	}
	return id, nil
}

func missing(name string) error {
	return fmt.Errorf("webhooks: the %s header is missing: %w", lower(name), ErrMissingHeaders)
}

func lower(name string) string { return strings.ToLower(name) }

// checkTimestamp checks that ts is Unix seconds within DefaultTolerance of
// now.
func (v *Verifier) checkTimestamp(ts string, names headerNames) error {
	if len(ts) > maxTimestampLen || strings.TrimLeft(ts, "0123456789") != "" {
		return fmt.Errorf("webhooks: %s is not a Unix time in seconds: %w", lower(names.timestamp), ErrMissingHeaders)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("webhooks: %s is not a Unix time in seconds: %w", lower(names.timestamp), ErrMissingHeaders)
	}
	// Both are within [0, 2^63), so the difference cannot overflow.
	now := v.now().Unix()
	tolerance := int64(DefaultTolerance / time.Second)
	switch {
	case now-sec > tolerance:
		return fmt.Errorf("webhooks: %s is %v old, more than the %v tolerance: %w",
			lower(names.timestamp), time.Duration(now-sec)*time.Second, DefaultTolerance, ErrTimestampOutOfTolerance)
	case sec-now > tolerance:
		return fmt.Errorf("webhooks: %s is %v in the future, more than the %v tolerance: %w",
			lower(names.timestamp), time.Duration(sec-now)*time.Second, DefaultTolerance, ErrTimestampOutOfTolerance)
	}
	return nil
}

// checkSignatures reports whether one of the first maxSignatures entries of
// sigs is a v1 signature of id, ts and body under one of the secrets.
func (v *Verifier) checkSignatures(id, ts, sigs string, body []byte) error {
	var v1 [maxSignatures]string
	n, examined := 0, 0
	for rest := sigs; rest != "" && examined < maxSignatures; {
		var entry string
		entry, rest, _ = strings.Cut(rest, " ")
		if entry == "" {
			continue // a run of spaces
		}
		examined++
		if sig, ok := strings.CutPrefix(entry, "v1,"); ok && len(sig) == encodedMACLen {
			v1[n] = sig
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("webhooks: no well-formed v1 signature among the first %d entries of the signature header: %w", maxSignatures, ErrInvalidSignature)
	}
	for i := range v.keys {
		if v.keys[i].matches(id, ts, body, v1[:n]) {
			return nil
		}
	}
	return fmt.Errorf("webhooks: none of the %d v1 signatures matches a signing secret: %w", n, ErrInvalidSignature)
}

// matches reports whether one of sigs, each encodedMACLen bytes of base64,
// is the signature of id, ts and body under k.
func (k *signingKey) matches(id, ts string, body []byte, sigs []string) bool {
	s := k.pool.Get().(*macState)
	defer k.pool.Put(s)
	want := s.sign(id, ts, body)
	for _, sig := range sigs {
		copy(s.candidate[:], sig)
		if hmac.Equal(s.candidate[:], want) {
			return true
		}
	}
	return false
}

// sign returns the base64 HMAC of "<id>.<ts>.<body>", in s's own memory.
// id and ts must fit the prefix buffer, as verify ensures.
func (s *macState) sign(id, ts string, body []byte) []byte {
	n := copy(s.prefix[:], id)
	s.prefix[n] = '.'
	n++
	n += copy(s.prefix[n:], ts)
	s.prefix[n] = '.'
	n++
	s.mac.Reset()
	s.mac.Write(s.prefix[:n])
	s.mac.Write(body)
	base64.StdEncoding.Encode(s.encoded[:], s.mac.Sum(s.sum[:0]))
	return s.encoded[:]
}
