package clerk

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
)

// FuzzIDsNeverChangeTheEndpoint checks, for any organization and user IDs,
// that a call is either refused before anything is sent or reaches exactly
// the metadata endpoint on the configured host with those literal IDs.
// go test runs the seeds; go test -fuzz=FuzzIDs explores further.
func FuzzIDsNeverChangeTheEndpoint(f *testing.F) {
	for _, seed := range [][2]string{
		{"org_1", "user_1"}, {"org_1/../../users", "x"}, {"a?b#c", "u?x=1"}, {"..", "u"}, {"o", "."},
		{"%2e%2e", "%2F"}, {"o\n", "u"}, {"", "u"}, {"o", ""}, {"https://evil.example/", "@evil"},
		{"o;x", "u&y"}, {"ユーザー", "\u202e"}, {"o/memberships", "u/metadata"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, orgID, userID string) {
		c, api := newMockClient(t, []httpmock.Responder{ok(membershipJSON)}, WithRetryPolicy(RetryPolicy{}))
		_, _, err := c.OrganizationMemberships.UpdateMetadata(context.Background(), orgID, userID, UpdateOrganizationMembershipMetadataParams{})
		reqs := api.Requests()
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("error %v is not a ValidationError", err)
			}
			if len(reqs) != 0 {
				t.Fatalf("%d requests sent for invalid IDs", len(reqs))
			}
			return
		}
		if len(reqs) != 1 {
			t.Fatalf("%d requests, want 1", len(reqs))
		}
		r := reqs[0]
		if r.Host != "api.clerk.test" || r.Query != "" {
			t.Fatalf("request went to host %q with query %q", r.Host, r.Query)
		}
		segs := strings.Split(strings.TrimPrefix(r.Path, "/v1/"), "/")
		if len(segs) != 5 || segs[0] != "organizations" || segs[2] != "memberships" || segs[4] != "metadata" {
			t.Fatalf("path %q is not the metadata endpoint", r.Path)
		}
		gotOrg, err1 := url.PathUnescape(segs[1])
		gotUser, err2 := url.PathUnescape(segs[3])
		if err1 != nil || err2 != nil || gotOrg != orgID || gotUser != userID {
			t.Fatalf("path %q carries %q and %q, want %q and %q", r.Path, gotOrg, gotUser, orgID, userID)
		}
	})
}

// FuzzDoNeverLeavesTheBaseURL checks, for any Request.Path, that Do either
// refuses it before anything is sent or sends exactly one request to the
// configured host, below the base URL's path, without a query.
func FuzzDoNeverLeavesTheBaseURL(f *testing.F) {
	for _, seed := range []string{
		"organizations/org_1", "/organizations", "//evil.example/x", "../users", "a/%2e%2E/b", "a/./b",
		"a?b=1", "a#b", "a//b", "https://evil.example/", "a/%zz", "a/%2F", "@evil.example", "a\\b", "a b", "ユーザー",
		"organizations/org_1%3Fx%3D1", "%2e", ";", "a/:b@c",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, path string) {
		c, api := newMockClient(t, []httpmock.Responder{ok(`{}`)}, WithRetryPolicy(RetryPolicy{}))
		_, err := c.Do(context.Background(), &Request{Operation: "Fuzz", Method: http.MethodGet, Path: path}, nil)
		reqs := api.Requests()
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("error %v is not a ValidationError", err)
			}
			if len(reqs) != 0 {
				t.Fatalf("%d requests sent for an invalid path", len(reqs))
			}
			return
		}
		if len(reqs) != 1 {
			t.Fatalf("%d requests, want 1", len(reqs))
		}
		r := reqs[0]
		if r.Host != "api.clerk.test" || r.Query != "" || r.Path != "/v1/"+path {
			t.Fatalf("path %q went to host %q, path %q, query %q", path, r.Host, r.Path, r.Query)
		}
		for seg := range strings.SplitSeq(strings.TrimPrefix(r.Path, "/v1/"), "/") {
			if v, err := url.PathUnescape(seg); err != nil || v == "" || v == "." || v == ".." {
				t.Fatalf("path %q has a segment %q that a server could resolve away", r.Path, seg)
			}
		}
	})
}
