// Package clerk is a client for Clerk's Backend API, covering every
// organization-membership operation, with one exported request path (Do)
// for the rest of the API.
//
// Create one Client per secret key and share it; it is safe for concurrent
// use and keeps its connections pooled:
//
//	client, err := clerk.NewClientFromEnv() // reads CLERK_SECRET_KEY
//	if err != nil { ... }
//	m, resp, err := client.OrganizationMemberships.Create(ctx, "org_123",
//		clerk.CreateOrganizationMembershipParams{UserID: "user_456", Role: "org:member"})
//
// Every method validates its arguments before sending anything (returning a
// *ValidationError), sends exactly one escaped path segment per ID, and
// returns the decoded value, a *Response whenever an HTTP response arrived,
// and an error. Every non-2xx response is an *APIError; test it with
// errors.Is against ErrNotFound, ErrRateLimited and the other sentinels, or
// with HasCode for Clerk's error codes.
//
// # Other endpoints, middleware and telemetry
//
// Every method goes through Client.Do, which is exported for endpoints this
// package does not cover: build a Request with an Operation name (Clerk's
// operationId), a Method and a Path made with JoinPath, and Do sends it with
// the Client's authentication, limiter, middleware, retries and errors.
// WithMiddleware wraps every call once, around all its attempts;
// OperationName(ctx) names the call in middleware and in every attempt's
// *http.Request, for metrics and tracing transports. WithLimiter shares one
// rate limit between clients, or processes.
//
// # Retries
//
// GET, PATCH and DELETE (and, through Do, HEAD, PUT and OPTIONS) are
// retried after connection errors and 429, 500, 502, 503 and 504 responses.
// Create, and any POST or other method through Do, is retried only when
// Clerk certainly did not act on it: after a 429, or when no connection was
// made.
// Waits follow Retry-After when the server sends it, and otherwise grow
// exponentially with jitter between RetryPolicy.MinWait and MaxWait. A
// Retry-After longer than MaxWait, or a wait that would outlast the context's
// deadline, is not started: the last error is returned at once.
// Response.Attempts counts the attempts.
//
// # Pagination
//
// List, ListForInstance and ListForUser return one page; All,
// AllForInstance and AllForUser are iterators over every page, fetching up
// to WithPageConcurrency pages at once after the first and yielding in
// order:
//
//	for m, err := range client.OrganizationMemberships.All(ctx, "org_123", nil) {
//		if err != nil { ... }
//		fmt.Println(m.PublicUserData.UserID, m.Role)
//	}
//
// # Testing
//
// Package clerktest is an in-memory Clerk over HTTP, with fault injection,
// rate limiting and a record of requests, for testing code that uses this
// package without a Clerk account.
//
// # Security
//
// The secret key is sent only in the Authorization header of requests to the
// base URL; redirects are refused, and no error or log record contains the
// key, request bodies or query values.
package clerk
