package fetch

import (
	"fmt"
	"path/filepath"
)

// checkDiskSpace refuses to start when the known remaining bytes cannot
// fit on the destination's filesystem (sparse preallocation would only
// fail later, mid-download).
func (j *Job) checkDiskSpace() error {
	var need int64
	j.mu.Lock()
	for _, p := range j.parts {
		if p.size > 0 && !p.complete {
			need += p.size - p.done.total()
		}
	}
	dir := filepath.Dir(j.parts[0].path)
	j.mu.Unlock()
	download := need
	need += j.opts.ExtraSpace
	free, ok := FreeSpace(dir)
	if !ok || need <= free {
		return nil
	}
	if j.opts.ExtraSpace > 0 {
		return fmt.Errorf("%w: need %d bytes in %s (%d to download, %d for the joined file), %d free",
			ErrNoSpace, need, dir, download, j.opts.ExtraSpace, free)
	}
	return fmt.Errorf("%w: need %d bytes in %s, %d free", ErrNoSpace, need, dir, free)
}
