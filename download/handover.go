package download

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/internal/atomicfile"
	"github.com/vdlproject/vdl/request"
)

// A site with several flows (v.qq.com, docs/vqq.md §8) may answer its
// API through a flow whose media the CDN then refuses. When the first
// media request of a download is refused before any byte is on disk,
// the item is handed to the site's next flow (the same format where that
// flow lists it), and the refused flow goes last for the rest of the run.
// A network fault never hands over: the fetcher retries it.

// handoverError is a flow's media refused before any byte.
type handoverError struct {
	flow string
	err  error
}

func (e *handoverError) Error() string {
	return fmt.Sprintf("the CDN refuses the media of flow %s: %v", e.flow, e.err)
}
func (e *handoverError) Unwrap() error { return e.err }

// flowRecord is the file of a work folder naming the flow its bytes came
// from, so that a rerun resumes on that flow rather than starting over
// on another.
const flowRecord = "flow"

// resumeFlowError says the work folder holds bytes of another flow than
// the one the extraction chose.
type resumeFlowError struct{ flow string }

func (e *resumeFlowError) Error() string { return "unfinished download from flow " + e.flow }

// refusedBeforeBytes says a fetch failure is the CDN refusing a flow's
// media (403, 404, 410, 564) while nothing of the item is on disk.
func refusedBeforeBytes(f *extractors.Format, err error, p fetch.Progress) bool {
	return f.Flow != "" && p.Done == 0 && p.Resumed == 0 && refusalStatus(err)
}

// refusalStatus says a fetch failure is the CDN refusing a file (403,
// 404, 410, 564), whatever is on disk.
func refusalStatus(err error) bool {
	var se *request.StatusError
	if !errors.As(err, &se) {
		return false
	}
	switch se.StatusCode {
	case http.StatusForbidden, http.StatusNotFound, http.StatusGone, request.StatusRefused:
		return true
	}
	return false
}

// checkFlowRecord compares the work folder's flow with f's: a folder
// holding parts of another flow asks for that flow (resumeFlowError);
// otherwise the folder is marked as f's.
func checkFlowRecord(work string, f *extractors.Format, allowOther bool) error {
	if f.Flow == "" {
		return nil
	}
	path := filepath.Join(work, flowRecord)
	b, err := os.ReadFile(path)
	recorded := strings.TrimSpace(string(b))
	if err == nil && recorded != f.Flow && !allowOther && holdsParts(work) {
		return &resumeFlowError{flow: recorded}
	}
	if err == nil && recorded == f.Flow {
		return nil
	}
	if err == nil && holdsParts(work) {
		// Parts of another flow are other files: none of their bytes may
		// stay under the new parts' names.
		if err := clearDir(work); err != nil {
			return err
		}
	}
	if err := atomicfile.Write(path, []byte(f.Flow+"\n")); err != nil {
		return &DiskError{Err: err}
	}
	return nil
}

// holdsParts says the work folder has anything besides its flow record
// and lock.
func holdsParts(work string) bool {
	entries, err := os.ReadDir(work)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if n := e.Name(); n != flowRecord && !strings.HasPrefix(n, ".") && !strings.HasSuffix(n, ".lock") {
			return true
		}
	}
	return false
}

// reextract asks the site for m again, prefer's flow first (or, with
// prefer empty, in the run's order, refused flows last).
func (d *Downloader) reextract(ctx context.Context, m *extractors.Media, prefer string) (*extractors.Media, error) {
	u, err := url.Parse(m.PageURL)
	if err != nil {
		return nil, err
	}
	res, err := d.extract(ctx, u, prefer)
	if err != nil {
		return nil, err
	}
	for _, rm := range res.Media {
		if rm.ID == m.ID {
			return rm, nil
		}
	}
	return nil, fmt.Errorf("%w: the page no longer gives %s", extractors.ErrNotFound, m.ID)
}

// flowOf is the flow of m's formats ("" for single-flow sites).
func flowOf(m *extractors.Media) string {
	for _, f := range m.Formats {
		if f.Flow != "" {
			return f.Flow
		}
	}
	return ""
}
