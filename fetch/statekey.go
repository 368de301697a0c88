package fetch

// StateKey is the job key (Options.Key) recorded in the resume state at
// path, "" when there is none or it cannot be read: how a caller tells
// whose unfinished download a work folder holds, without reading fetch's
// state file itself.
func StateKey(path string) string {
	st, err := readState(path)
	if err != nil {
		return ""
	}
	return st.Key
}
