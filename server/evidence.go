package server

import (
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strconv"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/evidence"
	"gridgov/gid"
	"gridgov/observe"
	"gridgov/store"
)

// evidenceFiles serves the bytes of evidence, GET /evidence/{id} (thumbnail false) and
// /evidence/{id}/thumbnail (true), to a bearer token of a role that reads objects by id
// (the policy of Query.node). The evidence is read inside the token's scope, in SQL: out of
// scope, removed or absent alike is 404 NOT_FOUND. The answer carries the stored media type,
// never sniffed (nosniff), an ETag that is the bytes' SHA-256, and may be kept by the
// browser only (private) and only once checked again (no-cache), so a token that lost its
// scope no longer reads it; ranges and conditional requests are answered as net/http does.
func evidenceFiles(s *store.Store, files evidence.Blobs, m *observe.Evidence, gm *observe.GraphQL, log *slog.Logger, thumbnail bool) http.Handler {
	kind := "file"
	if thumbnail {
		kind = "thumbnail"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if a := auth.ActorFrom(ctx); a == nil || !auth.Allowed(a.Role, "Query", "node") {
			m.Download(kind, "forbidden")
			writeGraphQLError(w, r, gm, http.StatusForbidden, apperr.Forbidden, "this role does not read evidence")
			return
		}
		e, err := evidenceIn(r, s)
		if err != nil {
			m.Download(kind, "error")
			writeGraphQLError(w, r, gm, http.StatusServiceUnavailable, apperr.Unavailable, "the database is unavailable for a moment; try again")
			return
		}
		key, mediaType := served(e, thumbnail)
		if key == "" {
			m.Download(kind, "not_found")
			writeGraphQLError(w, r, gm, http.StatusNotFound, apperr.NotFound, "evidence not found")
			return
		}
		f, err := files.Open(ctx, key)
		if err != nil {
			// A row refers to bytes the store does not give: never by design, so it is logged.
			log.Error("evidence bytes unreadable", "request_id", observe.RequestID(ctx), "evidence", e.ID, "key", key,
				"missing", errors.Is(err, evidence.ErrNotFound), "err", err.Error())
			m.Download(kind, "error")
			writeGraphQLError(w, r, gm, http.StatusInternalServerError, apperr.Internal, "internal error")
			return
		}
		defer f.Close()
		h := w.Header()
		h.Set("Content-Type", mediaType)
		h.Set("ETag", `"`+key+`"`)
		h.Set("Cache-Control", "private, no-cache")
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		h.Set("Content-Disposition", disposition(e, mediaType, thumbnail))
		m.Download(kind, "served")
		http.ServeContent(w, r, "", e.UploadedAt, f)
	})
}

// evidenceIn reads the evidence the path's id names, within the request's scope; nil when it
// names none the caller reaches.
func evidenceIn(r *http.Request, s *store.Store) (*store.Evidence, error) {
	typ, id, ok := gid.Decode(r.PathValue("id"))
	if !ok || typ != "Evidence" {
		return nil, nil
	}
	found, err := store.Fetch(r.Context(), s, store.EvidenceByID, auth.ScopeFrom(r.Context()), []int64{id})
	return found[id], err
}

// served gives the key and media type of what to serve of e: its bytes or its thumbnail; ""
// when there is nothing.
func served(e *store.Evidence, thumbnail bool) (key, mediaType string) {
	switch {
	case e == nil:
		return "", ""
	case !thumbnail:
		return e.SHA256, e.MediaType
	case e.ThumbSHA256 != nil:
		return *e.ThumbSHA256, evidence.JPEG
	}
	return "", ""
}

// disposition names the file: shown in place for an image, saved for a document (a PDF is
// never rendered by the API's origin).
func disposition(e *store.Evidence, mediaType string, thumbnail bool) string {
	name := "evidence-" + strconv.FormatInt(e.ID, 10)
	if thumbnail {
		name += "-thumbnail"
	}
	switch mediaType {
	case evidence.JPEG:
		name += ".jpg"
	case evidence.PNG:
		name += ".png"
	case evidence.PDF:
		return mime.FormatMediaType("attachment", map[string]string{"filename": name + ".pdf"})
	}
	return mime.FormatMediaType("inline", map[string]string{"filename": name})
}
