package clerktest

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// handle authenticates r and performs the operation its method and path
// name: one registered with Handle, else one the server emulates.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, traceID string) {
	if r.Header.Get("Authorization") != "Bearer "+s.SecretKey {
		writeError(w, traceID, http.StatusUnauthorized, "authentication_invalid", "Invalid authentication",
			"The provided secret key is invalid. Make sure you have set the correct secret key.", "")
		return
	}
	if _, pattern := s.custom.Handler(r); pattern != "" {
		s.custom.ServeHTTP(w, r)
		return
	}
	segs, ok := splitPath(r.URL.EscapedPath())
	if !ok {
		writeNotFound(w, traceID, "The requested resource was not found.")
		return
	}
	a := &answer{w: w, traceID: traceID, origin: requestOrigin(r)}
	operation, serve := s.route(a, r, segs)
	if serve == nil {
		writeNotFound(w, traceID, "The requested resource was not found.")
		return
	}
	if s.allowOperation(a, operation) {
		serve()
	}
}

// route returns the operationId of the emulated operation r's method and
// path segments name, and the function that performs it; a nil function
// when the server emulates no such operation.
func (s *Server) route(a *answer, r *http.Request, segs []string) (operation string, serve func()) {
	q := r.URL.Query()
	withBody := func(required bool, f func(body map[string]json.RawMessage)) func() {
		return func() {
			if body, ok := a.jsonBody(r, required); ok {
				f(body)
			}
		}
	}
	n, get, post := len(segs), r.Method == http.MethodGet, r.Method == http.MethodPost
	org := n >= 3 && segs[0] == "organizations"
	switch {
	case n == 1 && segs[0] == "organization_memberships" && get:
		return "InstanceGetOrganizationMemberships", func() { s.listInstance(a, q) }
	case n == 1 && segs[0] == "organization_invitations" && get:
		return "ListInstanceOrganizationInvitations", func() { s.listInstanceInvitations(a, q) }
	case n == 1 && segs[0] == "users" && get:
		return "GetUserList", func() { s.listUsers(a, q) }
	case n == 3 && segs[0] == "users" && segs[2] == "organization_memberships" && get:
		return "UsersGetOrganizationMemberships", func() { s.listUser(a, segs[1], q) }
	case n == 3 && segs[0] == "users" && segs[2] == "organization_invitations" && get:
		return "UsersGetOrganizationInvitations", func() { s.listUserInvitations(a, segs[1], q) }
	case org && n == 3 && segs[2] == "memberships" && get:
		return "ListOrganizationMemberships", func() { s.list(a, segs[1], q) }
	case org && n == 3 && segs[2] == "memberships" && post:
		return "CreateOrganizationMembership", withBody(true, func(body map[string]json.RawMessage) { s.create(a, segs[1], body) })
	case org && n == 4 && segs[2] == "memberships" && r.Method == http.MethodPatch:
		return "UpdateOrganizationMembership", withBody(true, func(body map[string]json.RawMessage) { s.update(a, segs[1], segs[3], body) })
	case org && n == 4 && segs[2] == "memberships" && r.Method == http.MethodDelete:
		return "DeleteOrganizationMembership", func() { s.delete(a, segs[1], segs[3]) }
	case org && n == 5 && segs[2] == "memberships" && segs[4] == "metadata" && r.Method == http.MethodPatch:
		return "UpdateOrganizationMembershipMetadata", withBody(false, func(body map[string]json.RawMessage) { s.updateMetadata(a, segs[1], segs[3], body) })
	case org && n == 3 && segs[2] == "invitations" && get:
		return "ListOrganizationInvitations", func() { s.listInvitations(a, segs[1], q) }
	case org && n == 3 && segs[2] == "invitations" && post:
		return "CreateOrganizationInvitation", withBody(true, func(body map[string]json.RawMessage) { s.createInvitation(a, segs[1], body) })
	case org && n == 4 && segs[2] == "invitations" && segs[3] == "bulk" && post:
		return "CreateOrganizationInvitationBulk", func() {
			if items, ok := a.jsonArray(r); ok {
				s.createInvitationBulk(a, segs[1], items)
			}
		}
	case org && n == 4 && segs[2] == "invitations" && get:
		return "GetOrganizationInvitation", func() { s.getInvitation(a, segs[1], segs[3]) }
	case org && n == 5 && segs[2] == "invitations" && segs[4] == "revoke" && post:
		return "RevokeOrganizationInvitation", withBody(false, func(body map[string]json.RawMessage) { s.revokeInvitation(a, segs[1], segs[3], body) })
	}
	return "", nil
}

// splitPath returns the unescaped segments of an escaped path below /v1/.
func splitPath(escaped string) ([]string, bool) {
	rest, ok := strings.CutPrefix(escaped, "/v1/")
	if !ok || rest == "" {
		return nil, false
	}
	segs := strings.Split(rest, "/")
	for i, seg := range segs {
		v, err := url.PathUnescape(seg)
		if err != nil || v == "" {
			return nil, false
		}
		segs[i] = v
	}
	return segs, true
}

// answer writes one response in Clerk's shapes.
type answer struct {
	w       http.ResponseWriter
	traceID string
	origin  httpRequestJSON // who asked, for the webhook events a change makes
}

func (a *answer) ok(v any) {
	a.w.Header().Set("Content-Type", "application/json")
	a.w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(a.w).Encode(v)
}

func (a *answer) fail(status int, code, message, longMessage, param string) {
	writeError(a.w, a.traceID, status, code, message, longMessage, param)
}

func (a *answer) notFound(longMessage string) { writeNotFound(a.w, a.traceID, longMessage) }

func (a *answer) paramMissing(param string) {
	a.fail(http.StatusUnprocessableEntity, "form_param_missing", "is missing", param+" must be included.", param)
}

func (a *answer) paramInvalid(param, longMessage string) {
	a.fail(http.StatusUnprocessableEntity, "form_param_value_invalid", "is invalid", longMessage, param)
}

// jsonBody decodes the request body into top-level fields, answering 415 for
// a body that is not JSON and 400 for malformed JSON. An absent body is an
// empty object unless required.
func (a *answer) jsonBody(r *http.Request, required bool) (map[string]json.RawMessage, bool) {
	var body map[string]json.RawMessage
	present, ok := a.decodeBody(r, &body, required)
	switch {
	case !ok:
		return nil, false
	case !present && !required:
		return map[string]json.RawMessage{}, true
	case body == nil:
		a.bodyInvalid()
		return nil, false
	}
	return body, true
}

// jsonArray decodes a request body that must be a JSON array of objects,
// answering as jsonBody does.
func (a *answer) jsonArray(r *http.Request) ([]map[string]json.RawMessage, bool) {
	var items []map[string]json.RawMessage
	if _, ok := a.decodeBody(r, &items, true); !ok {
		return nil, false
	}
	if items == nil || slices.ContainsFunc(items, func(item map[string]json.RawMessage) bool { return item == nil }) {
		a.bodyInvalid()
		return nil, false
	}
	return items, true
}

// decodeBody decodes the request body into v, answering 415 for a body that
// is not JSON and 400 for malformed JSON. An empty body is left to the
// caller (present is false) unless required.
func (a *answer) decodeBody(r *http.Request, v any, required bool) (present, ok bool) {
	var raw bytes.Buffer
	_, _ = raw.ReadFrom(r.Body)
	if raw.Len() == 0 && !required {
		return false, true
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		a.fail(http.StatusUnsupportedMediaType, "unsupported_content_type", "Unsupported Content-Type",
			"Content-Type "+r.Header.Get("Content-Type")+" is unsupported. You should use application/json instead.", "")
		return true, false
	}
	if json.Unmarshal(raw.Bytes(), v) != nil {
		a.bodyInvalid()
		return true, false
	}
	return true, true
}

func (a *answer) bodyInvalid() {
	a.fail(http.StatusBadRequest, "request_body_invalid", "Request body invalid",
		"The request body is invalid. Please consult the API documentation for more information.", "")
}

// onlyFields answers 422 form_param_unknown when body has a field not in allowed.
func (a *answer) onlyFields(body map[string]json.RawMessage, allowed ...string) bool {
	for name := range body {
		if !slices.Contains(allowed, name) {
			a.fail(http.StatusUnprocessableEntity, "form_param_unknown", "is unknown",
				name+" is not a valid parameter for this request.", name)
			return false
		}
	}
	return true
}

// stringField reads a required string field.
func (a *answer) stringField(body map[string]json.RawMessage, name string) (string, bool) {
	raw, present := body[name]
	if !present || string(raw) == "null" {
		a.paramMissing(name)
		return "", false
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		a.paramInvalid(name, name+" must be a string.")
		return "", false
	}
	if v == "" {
		a.paramMissing(name)
		return "", false
	}
	return v, true
}

// metadataField reads an optional metadata object. present is false when the
// field is absent (or null, where nullable allows it).
func (a *answer) metadataField(body map[string]json.RawMessage, name string, nullable bool) (m map[string]any, present, ok bool) {
	raw, has := body[name]
	if !has {
		return nil, false, true
	}
	if string(raw) == "null" {
		if nullable {
			return nil, false, true
		}
		a.paramInvalid(name, name+" must be an object.")
		return nil, false, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&m) != nil || m == nil {
		a.paramInvalid(name, name+" must be an object.")
		return nil, false, false
	}
	return m, true, true
}

// clerkError and clerkErrors are Clerk's error body.
type clerkError struct {
	Message     string            `json:"message"`
	LongMessage string            `json:"long_message"`
	Code        string            `json:"code"`
	Meta        map[string]string `json:"meta,omitempty"`
}

type clerkErrors struct {
	Errors       []clerkError `json:"errors"`
	ClerkTraceID string       `json:"clerk_trace_id"`
}

// WriteError writes an error answer in Clerk's shape, for Handle stubs:
// status, and a JSON body {"errors": [{"code", "message", "long_message"}],
// "clerk_trace_id"} whose trace ID is the Clerk-Trace-Id the server already
// set on w, if any. A clerk.Client reads it as an *APIError.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	writeError(w, w.Header().Get("Clerk-Trace-Id"), status, code, message, message, "")
}

func writeError(w http.ResponseWriter, traceID string, status int, code, message, longMessage, param string) {
	e := clerkError{Message: message, LongMessage: longMessage, Code: code}
	if param != "" {
		e.Meta = map[string]string{"param_name": param}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(clerkErrors{Errors: []clerkError{e}, ClerkTraceID: traceID})
}

func writeNotFound(w http.ResponseWriter, traceID, longMessage string) {
	writeError(w, traceID, http.StatusNotFound, "resource_not_found", "not found", longMessage, "")
}
