package clerk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerk-go"
)

// The benchmarks in this file compare the SDK with the best a user could
// write by hand with net/http, against the same httptest server. See
// BENCHMARKS.md for how to run them and the figures.

const benchKey = "sk_test_bench"

// realisticMembership is one membership as Clerk returns it (1,080 bytes
// without metadata, the size of the example in Clerk's documentation),
// with metadata of roughly metaBytes bytes.
func realisticMembership(i, metaBytes int) string {
	meta := `{}`
	if metaBytes > 0 {
		var b strings.Builder
		b.WriteString(`{"profile":{`)
		for k := 0; b.Len() < metaBytes; k++ {
			if k > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"field_%03d":"value %03d for member %06d with some padding text"`, k, k, i)
		}
		b.WriteString(`},"score":9007199254740993}`)
		meta = b.String()
	}
	return fmt.Sprintf(`{"object":"organization_membership","id":"orgmem_2g7np7Hrk0SN6kj5EDM%06d","role":"org:member","role_name":"Member",`+
		`"permissions":["org:sys_memberships:read","org:posts:read"],"public_metadata":%s,"private_metadata":{},`+
		`"organization":{"object":"organization","id":"org_2g7np7Hrk0SN6kj5EDMLDaKNL0S","name":"Acme Corp","slug":"acme-corp",`+
		`"image_url":"https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCJ9",`+
		`"has_image":true,"members_count":2048,"missing_member_with_elevated_permissions":false,"pending_invitations_count":3,`+
		`"max_allowed_memberships":5000,"admin_delete_enabled":true,"public_metadata":{},"private_metadata":{},`+
		`"created_by":"user_2g7np7Hrk0SN6kj5EDMLDaKNL0S","created_at":1716883200000,"updated_at":1716883200000},`+
		`"public_user_data":{"user_id":"user_2h8op3Isl1QR7tKu5FG%06d","first_name":"Jane","last_name":"Doe",`+
		`"profile_image_url":"https://img.clerk.com/eyJ0eXBlIjoicHJveHkifQ","image_url":"https://img.clerk.com/eyJ0eXBlIjoicHJveHkifQ",`+
		`"has_image":true,"identifier":"jane.doe.%06d@acme.com","username":"janedoe%06d","banned":false,"deprovisioned":false},`+
		`"created_at":1716883200000,"updated_at":1716883200000}`, i, meta, i, i, i)
}

func pageBody(n, metaBytes, total int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(realisticMembership(i, metaBytes))
	}
	fmt.Fprintf(&b, `],"total_count":%d}`, total)
	return b.Bytes()
}

// fixedServer answers every request with body.
func fixedServer(b *testing.B, body []byte) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// pooledHTTPClient is what both sides use, so that only the code differs.
func pooledHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 128
	return &http.Client{Transport: t}
}

// handWritten is the baseline: what a careful user writes with net/http.
type handWritten struct {
	hc      *http.Client
	base    string
	useRead bool // io.ReadAll + json.Unmarshal instead of json.NewDecoder
}

func (h handWritten) do(ctx context.Context, method, path string, body []byte, v any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+benchKey)
	req.Header.Set("Clerk-API-Version", clerk.DefaultAPIVersion)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if h.useRead {
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, v)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

type benchCase struct {
	name string
	body []byte
	sdk  func(ctx context.Context, c *clerk.Client) error
	hand func(ctx context.Context, h handWritten) error
}

func benchCases() []benchCase {
	listParams := &clerk.ListOrganizationMembershipsParams{Limit: 100}
	return []benchCase{
		{
			name: "List100",
			body: pageBody(100, 0, 100),
			sdk: func(ctx context.Context, c *clerk.Client) error {
				_, _, err := c.OrganizationMemberships.List(ctx, "org_1", listParams)
				return err
			},
			hand: func(ctx context.Context, h handWritten) error {
				var page clerk.OrganizationMemberships
				return h.do(ctx, http.MethodGet, "organizations/org_1/memberships?limit=100", nil, &page)
			},
		},
		{
			name: "List500x4KB",
			body: pageBody(500, 4<<10, 500),
			sdk: func(ctx context.Context, c *clerk.Client) error {
				_, _, err := c.OrganizationMemberships.List(ctx, "org_1", &clerk.ListOrganizationMembershipsParams{Limit: 500})
				return err
			},
			hand: func(ctx context.Context, h handWritten) error {
				var page clerk.OrganizationMemberships
				return h.do(ctx, http.MethodGet, "organizations/org_1/memberships?limit=500", nil, &page)
			},
		},
		{
			name: "Create",
			body: []byte(realisticMembership(1, 0)),
			sdk: func(ctx context.Context, c *clerk.Client) error {
				_, _, err := c.OrganizationMemberships.Create(ctx, "org_1", clerk.CreateOrganizationMembershipParams{
					UserID: "user_2h8op3Isl1QR7tKu5FG000001", Role: "org:member", PublicMetadata: map[string]any{"team": "core"}})
				return err
			},
			hand: func(ctx context.Context, h handWritten) error {
				body, err := json.Marshal(clerk.CreateOrganizationMembershipParams{
					UserID: "user_2h8op3Isl1QR7tKu5FG000001", Role: "org:member", PublicMetadata: map[string]any{"team": "core"}})
				if err != nil {
					return err
				}
				var m clerk.OrganizationMembership
				return h.do(ctx, http.MethodPost, "organizations/org_1/memberships", body, &m)
			},
		},
	}
}

// BenchmarkPerCall runs each case through the SDK and both hand-written
// baselines. Compare the three with benchstat.
func BenchmarkPerCall(b *testing.B) {
	ctx := context.Background()
	for _, bc := range benchCases() {
		b.Run(bc.name, func(b *testing.B) {
			srv := fixedServer(b, bc.body)
			b.Run("impl=sdk", func(b *testing.B) {
				c, err := clerk.NewClient(benchKey, clerk.WithBaseURL(srv.URL+"/v1/"), clerk.WithHTTPClient(pooledHTTPClient()))
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(bc.body)))
				b.ReportAllocs()
				for b.Loop() {
					if err := bc.sdk(ctx, c); err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, useRead := range []bool{false, true} {
				name := "impl=hand-decoder"
				if useRead {
					name = "impl=hand-readall"
				}
				b.Run(name, func(b *testing.B) {
					h := handWritten{hc: pooledHTTPClient(), base: srv.URL + "/v1/", useRead: useRead}
					b.SetBytes(int64(len(bc.body)))
					b.ReportAllocs()
					for b.Loop() {
						if err := bc.hand(ctx, h); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// fixedTransport answers every request in memory with body, so that
// BenchmarkPerCallWithoutNetwork measures only the code on each side.
type fixedTransport struct{ body []byte }

func (f fixedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(f.body)), ContentLength: int64(len(f.body)), Request: r,
	}, nil
}

// BenchmarkPerCallWithoutNetwork is BenchmarkPerCall with an in-memory
// transport: the CPU each side spends per call, without the noise of the
// loopback network.
func BenchmarkPerCallWithoutNetwork(b *testing.B) {
	ctx := context.Background()
	for _, bc := range benchCases() {
		b.Run(bc.name, func(b *testing.B) {
			rt := fixedTransport{bc.body}
			b.Run("impl=sdk", func(b *testing.B) {
				c, err := clerk.NewClient(benchKey, clerk.WithBaseURL("http://127.0.0.1/v1/"), clerk.WithHTTPClient(&http.Client{Transport: rt}))
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := bc.sdk(ctx, c); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("impl=hand-decoder", func(b *testing.B) {
				h := handWritten{hc: &http.Client{Transport: rt}, base: "http://127.0.0.1/v1/"}
				b.ReportAllocs()
				for b.Loop() {
					if err := bc.hand(ctx, h); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
