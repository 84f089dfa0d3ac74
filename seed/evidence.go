package seed

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"slices"
	"time"

	"gridgov/evidence"
)

// Evidence (佐证) as a city's would be: a photo of the problem on about a third of the reports,
// taken by the reporter as they report; a photo of the result on most resolutions, and on
// every resolution of a category that requires one, taken before it by a community cadre
// working on the issue; a photo on some of the members' own service records. Each
// attached photo is an "attach_evidence" event of its issue's history, as the API writes it.
// The photos are a few dozen small pictures drawn from the seed and prepared as an upload
// would be (evidence.Prepare), so the store holds exactly what the API would have stored;
// being content-addressed, each is stored once however often it is attached.

// demoPhotoCount is how many distinct photos the demo city's evidence shows.
const demoPhotoCount = 36

// Photo sizes: a phone's picture, shrunk to keep the demo small.
const (
	demoPhotoWidth  = 160
	demoPhotoHeight = 120
)

// Shares of evidence (see issueAttachments and evidenceJobs).
const (
	reportPhotoShare  = 0.35 // reports with a photo of the problem
	resolvePhotoShare = 0.85 // first resolutions with a photo of the result, where none is required
	reworkPhotoShare  = 0.6  // later resolutions with another photo
	servicePhotoShare = 0.3  // members' own service records with a photo
)

// Captions of the photos, by stage.
var photoCaptions = map[string]string{"report": "现场照片", "resolve": "整改后照片", "service": "服务现场照片"}

// demoPhotos draws the demo city's photos from the seed and prepares each as an upload:
// the same seed gives the same bytes, thumbnails and keys.
func demoPhotos(seed uint64) []*evidence.File {
	r := newRowRand(seed)
	photos := make([]*evidence.File, demoPhotoCount)
	for k := range photos {
		raw, err := drawPhoto(r.at("photo", k), k%3 != 0)
		if err == nil {
			photos[k], err = evidence.Prepare(context.Background(), bytes.NewReader(raw), evidence.DefaultLimits())
		}
		if err != nil { // a picture drawn here that does not encode or prepare is a bug of this file
			panic(fmt.Sprintf("seed: demo photo %d: %v", k, err))
		}
	}
	return photos
}

// drawPhoto draws a street scene: a sky, the ground, a few buildings with windows and
// something in the foreground, in colours drawn from r; as a JPEG, else a PNG.
func drawPhoto(r *rowRand, asJPEG bool) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, demoPhotoWidth, demoPhotoHeight))
	shade := func() color.RGBA {
		return color.RGBA{uint8(r.between(40, 220)), uint8(r.between(40, 220)), uint8(r.between(40, 220)), 0xff}
	}
	fill := func(x0, y0, x1, y1 int, c color.RGBA) {
		for y := max(y0, 0); y < min(y1, demoPhotoHeight); y++ {
			for x := max(x0, 0); x < min(x1, demoPhotoWidth); x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
	horizon := r.between(50, 80)
	sky, ground := shade(), shade()
	for y := 0; y < horizon; y++ { // the sky lightens towards the horizon
		c := sky
		c.R, c.G, c.B = lighten(c.R, y, horizon), lighten(c.G, y, horizon), lighten(c.B, y, horizon)
		fill(0, y, demoPhotoWidth, y+1, c)
	}
	fill(0, horizon, demoPhotoWidth, demoPhotoHeight, ground)
	for b, n := 0, r.between(2, 5); b < n; b++ {
		x, w, h := r.IntN(demoPhotoWidth), r.between(20, 50), r.between(20, horizon-5)
		wall := shade()
		fill(x, horizon-h, x+w, horizon, wall)
		for wy := horizon - h + 4; wy+4 < horizon; wy += 8 {
			for wx := x + 3; wx+4 < x+w; wx += 8 {
				fill(wx, wy, wx+4, wy+4, color.RGBA{0xf0, 0xe8, 0xa0, 0xff})
			}
		}
	}
	x, y := r.IntN(demoPhotoWidth-30), r.between(horizon, demoPhotoHeight-20)
	fill(x, y, x+r.between(10, 30), y+r.between(6, 20), shade())
	var out bytes.Buffer
	var err error
	if asJPEG {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 85})
	} else {
		err = png.Encode(&out, img)
	}
	return out.Bytes(), err
}

// lighten moves v towards white as y nears the horizon.
func lighten(v uint8, y, horizon int) uint8 { return uint8(int(v) + (255-int(v))*y/(2*horizon)) }

// putPhotos writes photos, with their thumbnails, to files (none when files is nil). Bytes
// already there are left as they are, so putting them again changes nothing.
func putPhotos(ctx context.Context, files evidence.Blobs, photos []*evidence.File) error {
	if files == nil {
		return nil
	}
	for _, p := range photos {
		for _, b := range [][]byte{p.Data, p.Thumb} {
			if _, err := files.Put(ctx, b); err != nil {
				return fmt.Errorf("put demo photo: %w", err)
			}
		}
	}
	return nil
}

// attachment is one photo attached to an issue: at its report or before a resolution.
type attachment struct {
	stage, state string // the stage attached at, and the issue's state then
	photo        int    // index into the world's photos
	by           int64
	role         string
	at           time.Time
}

// evidenceNote is what an issue's history says of an attached photo, as the API writes it.
func evidenceNote(stage string) string { return stage + " photo: " + photoCaptions[stage] }

// issueAttachments draws the photos attached to the issue of s (category c) up to --as-of,
// from a stream of their own, and adds an "attach_evidence" event for each to its history,
// in time order. The reporter photographs the problem as they report it; the result is
// photographed before each resolution by the handler when a community cadre handles the
// issue, else by the cadre who dispatched it (only cadres and grid workers attach evidence
// of a resolution).
func (w *world) issueAttachments(r *rowRand, s *issueStory, c issueCategory, cadre int64, out []attachment) []attachment {
	r.at("issue-evidence", int(s.id))
	out = out[:0]
	if at := s.reported.Add(time.Duration(r.between(2, 30)) * time.Minute); r.chance(reportPhotoShare) && at.Before(w.asOf) {
		out = append(out, attachment{stage: "report", state: "reported", photo: r.IntN(len(w.photos)), by: s.reporter,
			role: s.reporterRole, at: at})
	}
	by := cadre
	if s.handlerKind == "cadre" {
		by = s.handlerPerson
	}
	resolutions := 0
	for _, e := range s.events {
		if e.action != "resolve" {
			continue
		}
		share := resolvePhotoShare
		switch {
		case resolutions > 0:
			share = reworkPhotoShare
		case c.resolvePhoto:
			share = 1
		}
		resolutions++
		at := e.at.Add(-time.Duration(r.between(5, 50)) * time.Minute)
		if r.chance(share) {
			out = append(out, attachment{stage: "resolve", state: e.from, photo: r.IntN(len(w.photos)), by: by,
				role: "community_cadre", at: at})
		}
	}
	for _, a := range out {
		e := issueEvent{action: "attach_evidence", from: a.state, to: a.state, actor: a.by, actorRole: a.role,
			note: evidenceNote(a.stage), at: a.at}
		k, _ := slices.BinarySearchFunc(s.events, a.at, func(e issueEvent, at time.Time) int { return e.at.Compare(at) })
		s.events = slices.Insert(s.events, k, e)
	}
	return out
}

// issueEvidenceSlots is the room each issue has in the ids of evidence: a report photo and
// one for each of at most two resolutions.
const issueEvidenceSlots = 4

// evidenceColumns are the columns the evidence jobs write.
var evidenceColumns = []string{"id", "issue_id", "service_record_id", "street_id", "community_id", "grid_id", "stage", "sha256",
	"thumb_sha256", "media_type", "bytes", "width", "height", "caption", "uploaded_by", "uploaded_at", "created_at", "updated_at"}

// evidenceRow writes the row of photo p attached at stage by a person at a time.
func evidenceRow(row func(...any), id int64, issue, record any, at home, stage string, p *evidence.File, by int64, when time.Time) {
	row(id, issue, record, at.street, at.community, at.grid, stage, p.Key, p.ThumbKey, p.MediaType, int64(len(p.Data)),
		p.Width, p.Height, photoCaptions[stage], by, when, when, when)
}

// evidenceJobs write the photos attached to issues and to the members' own service records.
func (w *world) evidenceJobs(story func(r *rowRand, i int) issueStory) []job {
	serviceIDs := int64(w.issueTotal()+1) * issueEvidenceSlots
	return []job{
		{name: "evidence:issues", table: "evidence", entities: w.issueTotal(), columns: evidenceColumns,
			emit: func(r *rowRand, i int, row func(...any)) {
				s := story(r, i)
				for k, a := range s.attachments {
					evidenceRow(row, s.id*issueEvidenceSlots+int64(k), s.id, nil, s.at, a.stage, w.photos[a.photo], a.by, a.at)
				}
			}},
		{name: "evidence:service_records", table: "evidence", entities: w.n.verified, columns: evidenceColumns,
			emit: func(r *rowRand, v int, row func(...any)) {
				var records [ledgerSlots]ledgerRecord
				n := w.ledgerRecords(r.at("service_records:ledger", v), v, records[:0])
				r.at("service-evidence", v)
				for _, rec := range n {
					at := rec.served.Add(time.Duration(r.between(60, 10*60)) * time.Minute) // 9:00 to 18:00 in Chaohu
					photo := r.IntN(len(w.photos))
					if r.chance(servicePhotoShare) && at.Before(w.asOf) {
						evidenceRow(row, serviceIDs+rec.id, nil, rec.id, rec.at, "service", w.photos[photo], rec.person, at)
					}
				}
			}},
	}
}
