package clerk

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// retryReason reports whether an attempt of method that ended with resp or
// err may safely be repeated, and names the reason for the log.
//
// GET, PATCH and DELETE (and HEAD, PUT and OPTIONS) are repeated after
// connection errors, 429, 500, 502, 503 and 504: doing them twice has the
// same effect as doing them once. POST (Create), and any method not known to
// be repeatable, is repeated only when the server certainly did not act on
// it: after a 429, or when the connection was never established. A 5xx or a
// connection lost after sending may mean the membership was created, and a
// retry would then fail with "already a member".
func retryReason(method string, resp *http.Response, err error) (string, bool) {
	repeatable := repeatableMethod(method)
	if err != nil {
		if !repeatable {
			if neverConnected(err) {
				return "connection not established", true
			}
			return "", false
		}
		if connectionError(err) {
			return "connection error", true
		}
		return "", false
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return "429 Too Many Requests", true
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if !repeatable {
			return "", false
		}
		return strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode), true
	}
	return "", false
}

// repeatableMethod reports whether doing a request of method twice has the
// effect of doing it once, as for Clerk's GET, PATCH (a role, or a metadata
// merge) and DELETE. POST and methods this package does not know are not.
func repeatableMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// retryWait returns how long to wait before the next attempt, after the
// given number of attempts. A Retry-After header sets the wait; ok is false
// when it asks for more than policy.MaxWait, which the client does not wait
// out. Otherwise the wait grows exponentially from MinWait, capped at
// MaxWait, with random jitter over the upper half of each step.
func retryWait(p RetryPolicy, attempts int, resp *http.Response) (wait time.Duration, ok bool) {
	if resp != nil {
		if ra, has := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); has {
			if ra > p.MaxWait {
				return 0, false
			}
			return max(ra, p.MinWait), true
		}
	}
	ceiling := p.MaxWait
	if shift := attempts - 1; shift < 32 && p.MinWait<<shift < p.MaxWait && p.MinWait<<shift > 0 {
		ceiling = p.MinWait << shift
	}
	half := ceiling / 2
	return max(half+rand.N(half+1), p.MinWait), true
}

// connectionError reports whether err is a failure of the connection itself
// (refused, reset, closed early, timed out), as opposed to a TLS failure, a
// malformed request or a refusal by the client-side rate limiter, which a
// retry would only repeat.
func connectionError(err error) bool {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var (
		certErr    *tls.CertificateVerificationError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
	)
	if errors.As(err, &certErr) || errors.As(err, &recordErr) || errors.As(err, &alertErr) ||
		errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalidErr) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)
}

// neverConnected reports whether err says that no connection to the server
// was made, so that the server cannot have seen the request.
func neverConnected(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
