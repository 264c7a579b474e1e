package webhooks

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sentinels are the errors every refusal of Verify and ParseRequest wraps.
var sentinels = []error{ErrMissingHeaders, ErrTimestampOutOfTolerance, ErrInvalidSignature, ErrBodyTooLarge, ErrInvalidEvent}

// FuzzVerify feeds Verify arbitrary headers and bodies, with the clock at the
// known answer's timestamp. Verify must not panic, must refuse with one of
// the sentinels, and must accept only a header that holds the true signature.
func FuzzVerify(f *testing.F) {
	good := signed(f, katSecret, testID, time.Unix(katTimestamp, 0), eventJSON(EventOrganizationMembershipCreated)).Get("svix-signature")
	f.Add(katID, strconv.Itoa(katTimestamp), katSignature, []byte(katBody))
	f.Add(testID, strconv.Itoa(katTimestamp), "v1a,xyz "+good, []byte(eventJSON(EventOrganizationMembershipCreated)))
	f.Add(katID, strconv.Itoa(katTimestamp), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", []byte(katBody))
	f.Add(katID, "0"+strconv.Itoa(katTimestamp), katSignature, []byte(katBody))
	f.Add(katID, "1614265330000", katSignature, []byte(katBody))
	f.Add(katID, "-1", katSignature, []byte(katBody))
	f.Add(katID, "99999999999999999999", katSignature, []byte(katBody))
	f.Add("", "", "", []byte{})
	f.Add(katID, strconv.Itoa(katTimestamp), "v1,", []byte(katBody))
	f.Add(katID, strconv.Itoa(katTimestamp), strings.Repeat("v1,AAAA ", 20), []byte(katBody))
	f.Add("msg.with.dots", strconv.Itoa(katTimestamp), "v1,"+strings.Repeat("=", 44), []byte("\x00\xff"))

	v, _ := newVerifier(f, time.Unix(katTimestamp, 0), katSecret)
	key, err := decodeSecret(katSecret)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id, ts, sigs string, body []byte) {
		h := http.Header{}
		h.Set("svix-id", id)
		h.Set("svix-timestamp", ts)
		h.Set("svix-signature", sigs)
		err := v.Verify(h, body)
		if err != nil {
			if !errorsIsAny(err, sentinels...) {
				t.Fatalf("Verify = %v, which wraps none of the sentinels", err)
			}
			if strings.Contains(err.Error(), strings.TrimPrefix(katSecret, "whsec_")) {
				t.Fatalf("Verify's error contains the secret: %v", err)
			}
			return
		}
		want := "v1," + base64.StdEncoding.EncodeToString(signature(key, id, ts, body))
		if !containsEntry(sigs, want) {
			t.Fatalf("Verify accepted id %q, timestamp %q, signatures %q without the signature %q", id, ts, sigs, want)
		}
	})
}

// containsEntry reports whether the space-separated list sigs holds want.
func containsEntry(sigs, want string) bool {
	for _, s := range strings.Fields(sigs) {
		if s == want {
			return true
		}
	}
	return false
}

// FuzzParseRequest feeds ParseRequest arbitrary bodies, signed as Clerk would
// sign them, so that decoding is reached. It must not panic, must refuse
// with one of the sentinels, and what it accepts must have the header's ID
// and a type; OrganizationMembership must not panic on it either.
func FuzzParseRequest(f *testing.F) {
	f.Add(testID, []byte(eventJSON(EventOrganizationMembershipCreated)))
	f.Add(testID, []byte(eventJSON(EventOrganizationMembershipDeleted)))
	f.Add(testID, []byte(`{"type":"organizationMembership.updated","data":null}`))
	f.Add(testID, []byte(`{"type":"organizationMembership.updated","data":{"id":7}}`))
	f.Add(testID, []byte(`{"type":"user.created","data":{"id":"user_1"}}`))
	f.Add(testID, []byte(`{"type":""}`))
	f.Add(testID, []byte(`{"type":"organizationMembership.created","event_attributes":{"http_request":null}}`))
	f.Add(testID, []byte(`null`))
	f.Add(testID, []byte(`[]`))
	f.Add(testID, []byte(`{`))
	f.Add(testID, []byte("\xef\xbb\xbf{}"))
	f.Add("", []byte(`{"type":"organizationMembership.created"}`))
	f.Add(strings.Repeat("m", 300), []byte(`{"type":"organizationMembership.created"}`))

	v, _ := newVerifier(f, testNow, katSecret)
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		sig, err := Sign(katSecret, id, testNow, body)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodPost, "/webhooks/clerk", bytes.NewReader(body))
		r.Header.Set("svix-id", id)
		r.Header.Set("svix-timestamp", strconv.FormatInt(testNow.Unix(), 10))
		r.Header.Set("svix-signature", sig)
		e, err := v.ParseRequest(r)
		if err != nil {
			if e != nil {
				t.Fatalf("ParseRequest returned an event and the error %v", err)
			}
			if !errorsIsAny(err, sentinels...) {
				t.Fatalf("ParseRequest = %v, which wraps none of the sentinels", err)
			}
			return
		}
		if e.ID != id || e.Type == "" {
			t.Fatalf("ParseRequest accepted an event with ID %q (header %q) and type %q", e.ID, id, e.Type)
		}
		if m, err := e.OrganizationMembership(); err == nil && m.ID == "" {
			t.Fatalf("OrganizationMembership returned a membership without an ID")
		}
	})
}
