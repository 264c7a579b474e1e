package clerktest

import (
	"net/http"
	"strconv"
	"time"
)

// defaultOperationLimits are the per-operation limits Clerk applies on top
// of the instance's request budget, and a new Server with them.
var defaultOperationLimits = map[string]struct {
	n      int
	window time.Duration
}{
	"CreateOrganizationInvitation":     {250, time.Hour},
	"CreateOrganizationInvitationBulk": {50, time.Hour},
}

// SetOperationRateLimit limits one emulated operation, named by its
// operationId such as "CreateOrganizationInvitation", to n authenticated
// requests in each fixed window, whatever their outcome: beyond that, the
// server answers 429 too_many_requests with a Retry-After header in whole
// seconds until the window ends, as Clerk does. A bulk call counts once,
// however many invitations it carries. A new Server limits
// CreateOrganizationInvitation to 250 and CreateOrganizationInvitationBulk
// to 50 requests per hour, as Clerk does; n <= 0 lifts the operation's
// limit. The limit applies besides SetRateLimit's.
func (s *Server) SetOperationRateLimit(operation string, n int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limits := s.operationLimits()
	if n <= 0 || window <= 0 {
		limits[operation] = nil
		return
	}
	limits[operation] = &windowLimit{n: n, window: window}
}

// operationLimits returns the per-operation limits, starting from Clerk's
// defaults. A nil limit means none. The caller holds s.mu.
func (s *Server) operationLimits() map[string]*windowLimit {
	if s.people.limits == nil {
		s.people.limits = map[string]*windowLimit{}
		for op, l := range defaultOperationLimits {
			s.people.limits[op] = &windowLimit{n: l.n, window: l.window}
		}
	}
	return s.people.limits
}

// allowOperation counts a request of operation against its limit and
// answers 429 when it is over.
func (s *Server) allowOperation(a *answer, operation string) bool {
	s.mu.Lock()
	l := s.operationLimits()[operation]
	var wait time.Duration
	allowed := true
	if l != nil {
		wait, allowed = l.allow(time.Now())
	}
	s.mu.Unlock()
	if !allowed {
		secs := int((wait + time.Second - 1) / time.Second)
		a.w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		a.fail(http.StatusTooManyRequests, "too_many_requests", "Too many requests", "Too many requests, retry later", "")
	}
	return allowed
}
