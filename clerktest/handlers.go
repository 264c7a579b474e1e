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
	switch {
	case len(segs) == 1 && segs[0] == "organization_memberships" && r.Method == http.MethodGet:
		s.listInstance(a, r.URL.Query())
	case len(segs) == 3 && segs[0] == "users" && segs[2] == "organization_memberships" && r.Method == http.MethodGet:
		s.listUser(a, segs[1], r.URL.Query())
	case len(segs) == 3 && segs[0] == "organizations" && segs[2] == "memberships" && r.Method == http.MethodGet:
		s.list(a, segs[1], r.URL.Query())
	case len(segs) == 3 && segs[0] == "organizations" && segs[2] == "memberships" && r.Method == http.MethodPost:
		if body, ok := a.jsonBody(r, true); ok {
			s.create(a, segs[1], body)
		}
	case len(segs) == 4 && segs[0] == "organizations" && segs[2] == "memberships" && r.Method == http.MethodPatch:
		if body, ok := a.jsonBody(r, true); ok {
			s.update(a, segs[1], segs[3], body)
		}
	case len(segs) == 4 && segs[0] == "organizations" && segs[2] == "memberships" && r.Method == http.MethodDelete:
		s.delete(a, segs[1], segs[3])
	case len(segs) == 5 && segs[0] == "organizations" && segs[2] == "memberships" && segs[4] == "metadata" && r.Method == http.MethodPatch:
		if body, ok := a.jsonBody(r, false); ok {
			s.updateMetadata(a, segs[1], segs[3], body)
		}
	default:
		writeNotFound(w, traceID, "The requested resource was not found.")
	}
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
	var raw bytes.Buffer
	_, _ = raw.ReadFrom(r.Body)
	if raw.Len() == 0 && !required {
		return map[string]json.RawMessage{}, true
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		a.fail(http.StatusUnsupportedMediaType, "unsupported_content_type", "Unsupported Content-Type",
			"Content-Type "+r.Header.Get("Content-Type")+" is unsupported. You should use application/json instead.", "")
		return nil, false
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw.Bytes(), &body); err != nil || body == nil {
		a.fail(http.StatusBadRequest, "request_body_invalid", "Request body invalid",
			"The request body is invalid. Please consult the API documentation for more information.", "")
		return nil, false
	}
	return body, true
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
