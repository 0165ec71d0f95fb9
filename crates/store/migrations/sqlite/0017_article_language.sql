-- Knowledge articles carry the language they are written in (ja or en): lists and
-- suggestions put the reader's language first.
ALTER TABLE kb_articles ADD COLUMN language TEXT NOT NULL DEFAULT 'ja' CHECK (language IN ('ja', 'en'));
-- Articles written before this without a single kana or kanji in title or body are English
-- (the demo's English FAQs); an error message quoted in English with a Japanese remedy stays
-- Japanese. GLOB compares Unicode code points inside [...]: hiragana and katakana, CJK
-- ideographs (extension A and unified), compatibility ideographs, half-width katakana.
UPDATE kb_articles SET language = 'en'
WHERE NOT ((title || ' ' || body) GLOB '*[ぁ-ヿ㐀-鿿豈-﫿ｦ-ﾟ]*');
