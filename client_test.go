package clerk

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientRejectsBadKeysAndOptions(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		opt     Option
		wantErr string
	}{
		{"an empty key", "", nil, "clerk: the secret key is empty; pass the sk_... key from the Clerk dashboard"},
		{"a key with a newline", testKey + "\n", nil, "clerk: the secret key contains white space or control characters; check how it was loaded"},
		{"plain http to a remote host", testKey, WithBaseURL("http://api.clerk.com/v1/"), "clerk: WithBaseURL: plain http is allowed only for loopback hosts; use https"},
		{"a relative base URL", testKey, WithBaseURL("/v1/"), "clerk: WithBaseURL: the URL must be absolute, such as https://api.clerk.com/v1/"},
		{"a base URL with credentials", testKey, WithBaseURL("https://user:pw@api.clerk.com/v1/"), "clerk: WithBaseURL: the URL must not contain credentials; the secret key is sent in the Authorization header"},
		{"a base URL with a query", testKey, WithBaseURL("https://api.clerk.com/v1/?x=1"), "clerk: WithBaseURL: the URL must not have a query or fragment"},
		{"a base URL with another scheme", testKey, WithBaseURL("ftp://api.clerk.com/v1/"), `clerk: WithBaseURL: unsupported scheme "ftp"; use https`},
		{"a nil HTTP client", testKey, WithHTTPClient(nil), "clerk: WithHTTPClient: the *http.Client is nil"},
		{"negative retries", testKey, WithRetryPolicy(RetryPolicy{MaxRetries: -1}), "clerk: WithRetryPolicy: MaxRetries must not be negative"},
		{"retries without a minimum wait", testKey, WithRetryPolicy(RetryPolicy{MaxRetries: 1}), "clerk: WithRetryPolicy: MinWait must be positive when MaxRetries is set"},
		{"a maximum wait below the minimum", testKey, WithRetryPolicy(RetryPolicy{MaxRetries: 1, MinWait: time.Second, MaxWait: time.Millisecond}), "clerk: WithRetryPolicy: MaxWait must not be shorter than MinWait"},
		{"an API version that is not a date", testKey, WithAPIVersion("latest"), `clerk: WithAPIVersion: "latest" is not a date of the form YYYY-MM-DD`},
		{"a user agent with a newline", testKey, WithUserAgent("a\r\nX-Evil: 1"), "clerk: WithUserAgent: the suffix contains control characters"},
		{"zero page concurrency", testKey, WithPageConcurrency(0), "clerk: WithPageConcurrency: 0 is not a positive number of pages"},
		{"a zero rate limit", testKey, WithRateLimit(0, 1), "clerk: WithRateLimit: the rate and the burst must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.key, tt.opt)
			assert.Nil(t, c)
			require.EqualError(t, err, tt.wantErr)
			assert.NotContains(t, err.Error(), testKey)
		})
	}
}

func TestBaseURLsAreNormalised(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://api.clerk.com/v1", "https://api.clerk.com/v1/"},
		{"https://proxy.internal/clerk/v1/", "https://proxy.internal/clerk/v1/"},
		{"http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1/"},
		{"http://localhost/v1", "http://localhost/v1/"},
		{"http://[::1]:9/v1/", "http://[::1]:9/v1/"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := NewClient(testKey, WithBaseURL(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.baseURL)
		})
	}
}

func TestNewClientFromEnvReadsKeyAndAPIURL(t *testing.T) {
	t.Run("without a key it fails", func(t *testing.T) {
		t.Setenv("CLERK_SECRET_KEY", "")
		_, err := NewClientFromEnv()
		require.EqualError(t, err, "clerk: CLERK_SECRET_KEY is not set")
	})
	t.Run("with only a key it uses the default base URL", func(t *testing.T) {
		t.Setenv("CLERK_SECRET_KEY", testKey)
		t.Setenv("CLERK_API_URL", "")
		c, err := NewClientFromEnv()
		require.NoError(t, err)
		assert.Equal(t, DefaultBaseURL, c.baseURL)
		assert.Equal(t, "Bearer "+testKey, c.headers.Get("Authorization"))
	})
	t.Run("an API URL without a path gets /v1/", func(t *testing.T) {
		t.Setenv("CLERK_SECRET_KEY", testKey)
		t.Setenv("CLERK_API_URL", "https://api.clerk.dev")
		c, err := NewClientFromEnv()
		require.NoError(t, err)
		assert.Equal(t, "https://api.clerk.dev/v1/", c.baseURL)
	})
	t.Run("an explicit option overrides the environment", func(t *testing.T) {
		t.Setenv("CLERK_SECRET_KEY", testKey)
		t.Setenv("CLERK_API_URL", "https://api.clerk.dev/v1/")
		c, err := NewClientFromEnv(WithBaseURL("https://other.example/v1/"))
		require.NoError(t, err)
		assert.Equal(t, "https://other.example/v1/", c.baseURL)
	})
}

func TestClientsShareNoState(t *testing.T) {
	a, err := NewClient("sk_test_a")
	require.NoError(t, err)
	b, err := NewClient("sk_test_b")
	require.NoError(t, err)
	assert.Equal(t, "Bearer sk_test_a", a.headers.Get("Authorization"))
	assert.Equal(t, "Bearer sk_test_b", b.headers.Get("Authorization"))
	assert.NotSame(t, a.httpClient, b.httpClient)
}

func TestTheCallersHTTPClientIsNotModified(t *testing.T) {
	hc := &http.Client{Timeout: 3 * time.Second}
	_, err := NewClient(testKey, WithHTTPClient(hc))
	require.NoError(t, err)
	assert.Nil(t, hc.CheckRedirect)
	assert.Nil(t, hc.Transport)
	assert.Equal(t, 3*time.Second, hc.Timeout)
}

func TestARedirectToAnotherHostNeverCarriesTheKey(t *testing.T) {
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
	}))
	defer other.Close()
	clerkish := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer clerkish.Close()

	c, err := NewClient(testKey, WithBaseURL(clerkish.URL+"/v1/"))
	require.NoError(t, err)
	_, resp, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", "user_1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode)
	assert.Equal(t, int32(0), leaked.Load(), "the redirect was not followed")
}

func TestPrintingAClientNeverShowsTheKey(t *testing.T) {
	c, err := NewClient(testKey, WithBaseURL(testBaseURL))
	require.NoError(t, err)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, c)
		assert.NotContains(t, out, testKey, format)
		assert.Equal(t, "clerk.Client{BaseURL: https://api.clerk.test/v1/, APIVersion: 2026-05-12, SecretKey: [redacted]}", out, format)
	}
}
