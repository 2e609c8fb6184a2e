package crlf

import (
	"encoding/json"
	web "net/http"
)

// 读取配置：服务器返回 JSON。
func Config(url string, v any) error {
	r, err := web.Post(url, "application/json", nil) // want "the body of r from web.Post is never closed"
	if err != nil {
		return err // 请求失败
	}
	return json.NewDecoder(r.Body).Decode(v)
}
