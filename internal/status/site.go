package status

// File is one rendered document of the public side.
type File struct {
	// Path is its URL path under the site's root, such as "/",
	// "/incidents/42/", "/feed.atom" or "/api/v2/summary.json". A path
	// ending in "/" is an HTML page (written as index.html by a mirror).
	Path        string
	ContentType string
	Body        []byte
}

// Site is every document of one Page, by path.
type Site struct {
	Version string
	Files   map[string]*File
}

func (s *Site) add(files ...File) {
	for i := range files {
		f := files[i]
		s.Files[f.Path] = &f
	}
}
