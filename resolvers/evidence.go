package resolvers

import (
	"context"
	"strings"

	"gridgov/apperr"
	"gridgov/evidence"
	"gridgov/gid"
	"gridgov/graph/model"
	"gridgov/resolvers/scalar"
	"gridgov/store"
)

// EvidencePath is where the bytes of evidence are served (server mounts it): /evidence/{id},
// and an image's thumbnail at /evidence/{id}/thumbnail.
const EvidencePath = "/evidence/"

// evidenceURL gives where the evidence of row id is served, or its thumbnail.
func evidenceURL(id int64, thumbnail bool) string {
	u := EvidencePath + gid.Encode("Evidence", id)
	if thumbnail {
		u += "/thumbnail"
	}
	return u
}

// files gives the evidence store, or UNAVAILABLE when the server has none.
func (r *Resolver) files() (evidence.Blobs, error) {
	if r.Files == nil {
		return nil, apperr.New(apperr.Unavailable, "no evidence store is configured")
	}
	return r.Files, nil
}

func (r *mutationResolver) AttachEvidence(ctx context.Context, in model.AttachEvidenceInput) (*store.Evidence, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	sub, err := attachedTo(in)
	if err != nil {
		return nil, err
	}
	files, err := r.files()
	if err != nil {
		return nil, err
	}
	f, ok := ctx.Value(preparedKey{}).(*evidence.File)
	if !ok {
		return nil, apperr.New(apperr.Internal, "internal error")
	}
	return r.Store.AttachEvidence(ctx, scope(ctx), a, files, sub, f)
}

// preparedKey carries attachEvidence's file, made ready before its transaction.
type preparedKey struct{}

// prepareEvidence reads attachEvidence's file and makes it ready to store (evidence.Prepare),
// before the mutation's transaction opens (beforeWrite) and once the subject's id is resolved
// in scope: decoding and encoding a photo takes up to a second, which no transaction holds a
// connection for, and only a file for a subject the caller reaches is decoded.
func (r *Resolver) prepareEvidence(ctx context.Context, args map[string]any) (context.Context, error) {
	in, _ := args["input"].(map[string]any)
	up, err := scalar.UnmarshalUpload(in["file"])
	if err != nil {
		return ctx, err
	}
	f, err := evidence.Prepare(ctx, up.File, r.Uploads)
	if err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, preparedKey{}, f), nil
}

// attachedTo decodes what attachEvidence attaches to: exactly one issue or service record.
func attachedTo(in model.AttachEvidenceInput) (store.EvidenceSubject, error) {
	issue, err := optID("issueId", "Issue", in.IssueID)
	if err != nil {
		return store.EvidenceSubject{}, err
	}
	record, err := optID("serviceRecordId", "ServiceRecord", in.ServiceRecordID)
	if err != nil {
		return store.EvidenceSubject{}, err
	}
	if (issue == nil) == (record == nil) {
		return store.EvidenceSubject{}, apperr.Invalid("issueId", "give exactly one of issueId and serviceRecordId")
	}
	return store.EvidenceSubject{IssueID: issue, ServiceRecordID: record, Stage: stored(in.Stage),
		Caption: strings.TrimSpace(str(in.Caption))}, nil
}

func (r *mutationResolver) RemoveEvidence(ctx context.Context, in model.RemoveEvidenceInput) (*store.Evidence, error) {
	a, id, err := actingOn(ctx, "evidenceId", "Evidence", in.EvidenceID)
	if err != nil {
		return nil, err
	}
	files, err := r.files()
	if err != nil {
		return nil, err
	}
	return r.Store.RemoveEvidence(ctx, scope(ctx), a, files, id)
}
