package store

import "testing"

func TestRedactDSN(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"sqlite", "sqlite:/var/lib/vigie/password=x.db", "sqlite:/var/lib/vigie/password=x.db"},
		{"URL without credentials", "postgres://db:5432/vigie?sslmode=disable", "postgres://db:5432/vigie?sslmode=disable"},
		{"URL user only", "postgres://vigie@db/vigie", "postgres://vigie@db/vigie"},
		{"URL password", "postgres://vigie:s3cret@db:5432/vigie", "postgres://vigie:xxxxx@db:5432/vigie"},
		{"URL escaped password", "postgresql://vigie:a%40b%2Fc@db/vigie", "postgresql://vigie:xxxxx@db/vigie"},
		{"URL raw @ and / in password", "postgres://vigie:a@b/c@db/vigie", "postgres://vigie:xxxxx@db/vigie"},
		{"URL empty password", "postgres://vigie:@db/vigie", "postgres://vigie:xxxxx@db/vigie"},
		{"query password", "postgres://db/vigie?user=v&password=s3cret&sslmode=require",
			"postgres://db/vigie?user=v&password=xxxxx&sslmode=require"},
		{"first query parameter", "postgres://db/vigie?password=s3cret", "postgres://db/vigie?password=xxxxx"},
		{"query password before a fragment", "postgres://db/v?Password=s#frag", "postgres://db/v?Password=xxxxx#frag"},
		{"sslpassword", "postgres://u:p@db/v?sslkey=k.pem&sslpassword=k3y", "postgres://u:xxxxx@db/v?sslkey=k.pem&sslpassword=xxxxx"},
		{"search_path is kept", "postgres://u:p@db/v?search_path=a,b", "postgres://u:xxxxx@db/v?search_path=a,b"},
		{"key/value", "host=db user=vigie password=s3cret dbname=vigie", "host=db user=vigie password=xxxxx dbname=vigie"},
		{"key/value quoted", "host=db password='a b\\'c' dbname=vigie", "host=db password=xxxxx dbname=vigie"},
		{"key/value quoted first", "password='a b' host=db", "password=xxxxx host=db"},
		{"key/value spaces around =", "host=db password = s3cret dbname=v", "host=db password = xxxxx dbname=v"},
		{"key/value escaped space", `host=db password=a\ b dbname=v`, "host=db password=xxxxx dbname=v"},
		{"key/value unterminated quote", "host=db password='a b dbname=v", "host=db password=xxxxx"},
		{"key/value sslpassword", "host=db sslpassword=k3y", "host=db sslpassword=xxxxx"},
		{"key/value other key ending in password is kept", "host=db mypassword=x", "host=db mypassword=x"},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := RedactDSN(c.in); got != c.want {
				t.Errorf("RedactDSN(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}
