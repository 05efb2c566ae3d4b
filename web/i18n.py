"""The UI's words in Chinese (default) and English, and the choice between them.

The language comes from ``?lang=``, then the ``lang`` cookie, then the app's ``DEFAULT_LANGUAGE`` (zh).
"""

from __future__ import annotations

from flask import current_app, g, request

LANGUAGES = ("zh", "en")

#: key -> (中文, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "app_name": ("MediaOps 直播复盘", "MediaOps Stream Review"),
    "streams": ("直播列表", "Streams"),
    "upload": ("上传直播", "Upload stream"),
    "users": ("用户管理", "Users"),
    "tokens": ("API 令牌", "API tokens"),
    "login": ("登录", "Sign in"),
    "logout": ("退出", "Sign out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "role": ("角色", "Role"),
    "role_admin": ("管理员", "Admin"),
    "role_operator": ("运营", "Operator"),
    "role_viewer": ("只读", "Viewer"),
    "bad_login": ("用户名或密码错误", "Wrong username or password"),
    "too_many_logins": ("登录失败次数过多，请 {seconds} 秒后再试。",
                        "Too many failed sign-ins; try again in {seconds} s."),
    "csrf_failed": ("页面已过期或缺少安全令牌，请刷新页面后重试。",
                    "Missing or wrong CSRF token; reload the page and try again."),
    "account": ("我的账户", "Account"),
    "change_password": ("修改密码", "Change password"),
    "current_password": ("当前密码", "Current password"),
    "new_password": ("新密码", "New password"),
    "new_password_again": ("再次输入新密码", "New password again"),
    "password_changed": ("密码已修改，其他设备上的登录已全部退出。",
                         "Password changed; you were signed out everywhere else."),
    "sign_out_others": ("退出其他设备上的登录", "Sign out everywhere else"),
    "others_signed_out": ("已退出其他 {count} 个登录。", "Signed out {count} other session(s)."),
    "session_limits": ("登录在 {idle} 小时无操作后失效，最长保持 {days} 天。",
                       "A sign-in ends after {idle} h without use, and after {days} days at most."),
    "reset_password": ("重置密码（留空不变）", "Reset password (empty: keep)"),
    "user_saved": ("已保存 {name}；该用户需要重新登录。", "Saved {name}; they must sign in again."),
    "own_account_hint": ("你自己的账户：在“我的账户”中修改密码",
                         "Your own account: change your password under Account"),
    "err_username": ("用户名为 1–64 个字符，不能含空格", "user names are 1–64 characters without spaces"),
    "err_role": ("角色必须是 {roles} 之一", "role must be one of {roles}"),
    "err_password_short": ("密码至少需要 {count} 个字符", "passwords need at least {count} characters"),
    "err_user_exists": ("用户 “{name}” 已存在，请换一个名字", "user '{name}' exists already; pick another name"),
    "err_no_user": ("没有用户 “{name}”；可用 `mediaops user add {name}` 创建",
                    "no user '{name}'; `mediaops user add {name}` creates one"),
    "err_own_account": ("不能修改自己的角色或启用状态，请另一位管理员操作；自己的密码请在“我的账户”中修改",
                        "you cannot change your own role or access; ask another admin (change your own password "
                        "under Account)"),
    "err_wrong_password": ("当前密码不正确", "the current password is wrong"),
    "err_passwords_differ": ("两次输入的新密码不一致", "the two new passwords differ"),
    "no_streams": ("还没有直播。上传一场直播录像和数据导出即可开始。",
                   "No streams yet. Upload a recording and its metrics export to start."),
    "name": ("名称", "Name"),
    "status": ("状态", "Status"),
    "duration": ("时长", "Duration"),
    "created": ("创建时间", "Created"),
    "clips": ("切片", "Clips"),
    "peak_viewers": ("峰值在线", "Peak viewers"),
    "orders": ("订单", "Orders"),
    "gmv": ("成交额", "GMV"),
    "st_queued": ("排队中", "Queued"),
    "st_running": ("处理中", "Running"),
    "st_succeeded": ("已完成", "Done"),
    "st_failed": ("失败", "Failed"),
    "st_cancelled": ("已取消", "Cancelled"),
    "st_pending": ("等待", "Pending"),
    "recording": ("直播录像", "Recording"),
    "recording_hint": ("MP4 / MOV / FLV / MKV / TS，可达数 GB，断网后可续传",
                       "MP4 / MOV / FLV / MKV / TS, multi-GB, resumes after a dropped connection"),
    "metrics": ("数据导出（必填）", "Metrics export (required)"),
    "metrics_hint": ("在线人数、评论、点赞、订单、GMV 的 CSV 导出",
                     "CSV with online viewers, comments, likes, orders, GMV"),
    "comments": ("评论/弹幕记录（可选）", "Comment log (optional)"),
    "products": ("商品列表（可选）", "Product list (optional)"),
    "stream_name": ("直播名称（可选）", "Stream name (optional)"),
    "start_upload": ("上传并开始处理", "Upload and process"),
    "uploading": ("上传中", "Uploading"),
    "upload_done": ("上传完成，正在创建任务…", "Uploaded; creating the job…"),
    "upload_failed": ("上传失败", "Upload failed"),
    "resuming": ("网络中断，正在续传…", "Connection lost; resuming…"),
    # uploads refused (web.uploads): the JSON "error" is English, "message" in the page's language
    "kind_recording": ("直播录像", "recording"),
    "kind_metrics": ("数据导出", "metrics"),
    "kind_comments": ("评论记录", "comments"),
    "kind_products": ("商品列表", "products"),
    "what_markup": ("HTML/XML 标记", "HTML/XML markup"),
    "what_xml": ("XML 数据", "XML data"),
    "what_script": ("JavaScript 脚本", "JavaScript"),
    "what_executable": ("程序（可执行文件或脚本）", "a program (executable or script)"),
    "what_binary": ("二进制数据", "binary data"),
    "what_container": ("视频", "a video"),
    "what_zip": ("ZIP 压缩包", "a ZIP archive"),
    "what_text": ("纯文本", "text"),
    "err_kind_missing": ("{filename}：请在 Upload-Metadata 中用 kind 声明文件类型（{kinds}）",
                         "{filename}: declare what the file is with kind ({kinds}) in Upload-Metadata"),
    "err_kind_unknown": ("未知的文件类型 “{kind}”；可用：{kinds}", "unknown kind '{kind}'; use one of {kinds}"),
    "err_kind_name": ("{filename} 不是{kind}文件；文件名应以 {endings} 结尾",
                      "{filename} is not a {kind} file; expected {endings}"),
    "err_not_recording": ("{filename} 的内容是{what}，不是直播录像；"
                          "请上传视频文件本身（MP4、MOV、MKV、FLV、TS、WebM）",
                          "{filename} is {what}, not a recording; upload the video file itself (MP4, MOV, MKV, FLV, "
                          "TS, WebM)"),
    "err_unreadable_recording": ("{filename} 不是本服务器能读取的录像；"
                                 "请上传原始的 MP4、MOV、MKV、FLV、TS 或 WebM 文件",
                                 "{filename} is not a recording this server reads; upload the original MP4, MOV, MKV, "
                                 "FLV, TS or WebM file"),
    "err_broken_recording": ("{filename} 不是可读取的录像（{reason}）",
                             "{filename} is not a readable recording: {reason}"),
    "err_recording_container": ("{filename} 被识别为 {container}，不是录像容器；"
                                "请上传原始的 MP4、MOV、MKV、FLV、TS 或 WebM 文件",
                                "{filename} opens as '{container}', not as a recording container; upload the original "
                                "MP4, MOV, MKV, FLV, TS or WebM file"),
    "err_not_input": ("{filename} 的内容是{what}，不是{kind}文件；请上传 CSV、JSON 或 XLSX 导出",
                      "{filename} is {what}, not a {kind} file; upload the CSV, JSON or XLSX export"),
    "err_not_xlsx": ("{filename} 的内容是{what}，不是 XLSX 工作簿；请重新另存为 .xlsx",
                     "{filename} is {what}, not an XLSX workbook; save it again as .xlsx"),
    "err_broken_xlsx": ("{filename} 不是可读取的 XLSX 工作簿；请重新导出",
                        "{filename} is not a readable XLSX workbook; export it again"),
    "err_metadata_too_big": ("Upload-Metadata 有 {size} 字节，超过本服务器上限 {limit} 字节；"
                             "只需发送 filename、kind 和 sha256",
                             "Upload-Metadata has {size} bytes, over this server's limit of {limit}; send only "
                             "filename, kind and sha256"),
    "err_upload_wrong_kind": ("上传 {upload}（{filename}）已按{checked}检查，不能用作{kind}；"
                              "请以 kind “{kind_name}” 重新上传",
                              "upload {upload} ({filename}) was checked as {checked}, not as the {kind}; upload the "
                              "{kind} again with kind '{kind_name}'"),
    "err_upload_unchecked": ("上传 {upload}（{filename}）的内容未经检查；请以 kind “{kind_name}” 重新上传",
                             "upload {upload} ({filename}) was never checked as the {kind}; upload it again with kind "
                             "'{kind_name}'"),
    "progress": ("处理进度", "Progress"),
    "stages": ("处理阶段", "Stages"),
    "timeline": ("时间轴", "Timeline"),
    "timeline_hint": ("点击曲线或标记跳转到该时刻", "Click the chart or a marker to jump there"),
    "clip_gallery": ("高光切片", "Highlight clips"),
    "download": ("下载", "Download"),
    "download_all": ("全部下载 (ZIP)", "Download all (ZIP)"),
    "play_here": ("在播放器中定位", "Seek player"),
    "report": ("复盘报告", "Review report"),
    "view_report": ("查看报告", "View report"),
    "rerun": ("调整参数重新处理", "Re-run with other settings"),
    "rerun_go": ("重新处理", "Re-run"),
    "n_clips": ("切片数量", "Number of clips"),
    "min_duration": ("最短时长（秒）", "Min duration (s)"),
    "max_duration": ("最长时长（秒）", "Max duration (s)"),
    "aspect": ("画面比例", "Aspect"),
    "captions": ("烧录字幕", "Burn captions"),
    "cut_mode": ("剪切方式", "Cut"),
    "cut_exact": ("精确（重新编码）", "exact (re-encode)"),
    "cut_fast": ("快速（关键帧，不重新编码）", "fast (keyframes, no re-encode)"),
    "cancel": ("取消任务", "Cancel job"),
    "error": ("错误", "Error"),
    "no_clips": ("没有生成切片。", "No clips were made."),
    "not_ready": ("处理完成后这里会显示结果。", "Results appear here when processing finishes."),
    "sales_spikes": ("成交高峰", "Sales spikes"),
    "scene_cuts": ("场景切换", "Scene cuts"),
    "pitches": ("商品讲解", "Product pitches"),
    "online_viewers": ("在线人数", "Online viewers"),
    "comments_metric": ("评论", "Comments"),
    "likes": ("点赞", "Likes"),
    "add_user": ("添加用户", "Add user"),
    "save": ("保存", "Save"),
    "active": ("启用", "Active"),
    "new_token": ("新建令牌", "New token"),
    "token_name": ("令牌用途", "Token name"),
    "token_once": ("请立即复制此令牌，它只显示这一次：", "Copy this token now; it is shown only once:"),
    "revoke": ("吊销", "Revoke"),
    "last_used": ("最近使用", "Last used"),
    "forbidden": ("没有权限执行此操作。", "You are not allowed to do that."),
    "not_found": ("找不到该页面或文件。", "Page or file not found."),
    "api_docs": ("API 文档", "API (OpenAPI)"),
    "back": ("返回", "Back"),
    "score": ("得分", "Score"),
    "reasons": ("入选理由", "Why"),
    "unattributed": ("未归因", "unattributed"),
    "more_downloads": ("更多文件", "More files"),
    "dl_reel": ("高光集锦", "highlight reel"),
    "dl_replay": ("带章节回放", "replay with chapters"),
    "dl_clips_csv": ("切片 CSV", "clips CSV"),
    "dl_spikes_csv": ("成交高峰 CSV", "spikes CSV"),
    "dl_products_csv": ("商品 CSV", "products CSV"),
    "dl_transcript": ("字幕 SRT", "transcript SRT"),
    "dl_fcpxml": ("剪辑工程 FCPXML", "FCPXML edit"),
    "dl_edl": ("EDL", "EDL"),
    "stage_probe": ("检查文件", "Check the file"),
    "stage_metrics": ("读取数据", "Read the metrics"),
    "stage_transcribe": ("语音转写", "Transcribe"),
    "stage_scenes": ("场景切换", "Scenes"),
    "stage_highlights": ("高光识别", "Highlights"),
    "stage_render": ("剪辑切片", "Cut clips"),
    "stage_publish": ("生成报告", "Report"),
    # what a running job is doing (the badge follows the stages), and why a job ended without results
    "ph_probe": ("检查文件中", "Checking the file"),
    "ph_metrics": ("读取数据中", "Reading the metrics"),
    "ph_transcribe": ("转写中", "Transcribing"),
    "ph_scenes": ("识别场景", "Finding scenes"),
    "ph_highlights": ("识别高光", "Finding highlights"),
    "ph_render": ("剪辑中", "Cutting clips"),
    "ph_publish": ("生成报告中", "Writing the report"),
    "why_cancelled": ("任务已取消。需要结果时，点击“按原设置重试”。",
                      "The job was cancelled. Click “Retry with the same settings” when you need its results."),
    "why_time_limit": ("处理超过了时间上限，录像可能已损坏。请检查录像；必要时分段后重新上传，或点击重试。",
                       "Processing ran past its time limit; the recording may be damaged. Check it, upload it in "
                       "shorter parts if needed, or retry."),
    "why_queue": ("任务没能进入处理队列（处理服务未运行）。请联系管理员启动处理服务后点击重试。",
                  "The job could not be queued (the processing service is not running). Ask an admin to start it, "
                  "then retry."),
    "why_model": ("所选的语音识别模型在本服务器上不可用。请在“调整参数重新处理”中保留默认模型，或联系管理员。",
                  "The chosen speech model is not available on this server. Re-run with the default model, or ask "
                  "an admin."),
    "why_metrics": ("数据导出无法识别（缺少时间列或列名不认识）。请从直播后台重新导出包含时间和在线人数的 CSV，"
                    "然后在“上传直播”页重新上传。",
                    "The metrics export could not be read (no time column, or unknown column names). Export the CSV "
                    "with time and online viewers again from the live platform and upload it again."),
    "why_comments": ("评论记录无法读取。请重新导出评论记录后在“上传直播”页重新上传，或不带评论记录上传。",
                     "The comment log could not be read. Export it again and upload again, or upload without it."),
    "why_products": ("商品列表无法读取。请检查商品列表（需要商品编号和名称）后重新上传，或不带商品列表上传。",
                     "The product list could not be read. Check it (it needs product IDs and names) and upload again, "
                     "or upload without it."),
    "why_targets": ("目标或流程表无法读取，请检查后重新上传。",
                    "The targets or run of show could not be read; check them and upload again."),
    "why_recording": ("录像无法读取或已损坏。请上传直播平台导出的原始录像文件后重试。",
                      "The recording could not be read or is damaged. Upload the original recording exported from the "
                      "live platform, then retry."),
    "why_stage": ("“{stage}”这一步失败了。请点击“按原设置重试”；如果再次失败，请联系管理员。",
                  "The “{stage}” step failed. Click “Retry with the same settings”; if it fails again, ask an admin."),
    "why_unknown": ("处理失败。请点击“按原设置重试”；如果再次失败，请联系管理员。",
                    "Processing failed. Click “Retry with the same settings”; if it fails again, ask an admin."),
    "why_options": ("参数超出允许范围，请按输入框的提示修改后再提交。",
                    "A setting is out of range; correct it as the form shows and submit again."),
    "why_retry_failed": ("无法重试：原始文件已不存在或处理服务未运行。请重新上传，或联系管理员。",
                         "Cannot retry: the original files are gone or the processing service is not running. Upload "
                         "again, or ask an admin."),
    "ended_title": ("没有结果", "No results"),
    "retry": ("按原设置重试", "Retry with the same settings"),
    "rerun_label": ("重跑", "Re-run"),
    "n_clips_short": ("{count} 条", "{count} clips"),
    "durations_short": ("{low}–{high} 秒", "{low}–{high} s"),
    "captions_short": ("字幕", "captions"),
    "cut_fast_short": ("快速剪切", "fast cut"),
    "job_settings": ("设置", "Settings"),
    "first_clips": ("首批切片", "First clips"),
    "first_clips_notice": ("首批切片已剪好，可以先预览和下载；完整分析和复盘报告完成后会显示在这里。",
                           "The first clips are ready to preview and download; the full analysis and the review "
                           "report follow here when processing finishes."),
    "first_clips_wait": ("正在处理：首批切片剪好后会立刻显示在这里，完整复盘报告随后生成。",
                         "Processing: the first clips appear here as soon as they are cut; the full review report "
                         "follows."),
    "clip_settings": ("切片设置", "Clip settings"),
    "resume_found": ("有未传完的文件：{files}。重新选择同一个文件并点击上传，会从中断处继续。",
                     "Unfinished upload: {files}. Choose the same file again and upload; it continues where it "
                     "stopped."),
    "resume_file": ("这个文件上次没有传完，上传时会从中断处继续。",
                    "This file was partly uploaded before; the upload continues where it stopped."),
    "metric_orders": ("订单", "orders"),
    "metric_gmv": ("成交额", "GMV"),
    "metric_online_viewers": ("在线人数", "online viewers"),
    "metric_comments": ("评论", "comments"),
    "metric_likes": ("点赞", "likes"),
    "seconds_unit": ("秒", "s"),
}


def language() -> str:
    """The language of this request's page (``zh`` or ``en``)."""
    if "lang" not in g:
        chosen = request.args.get("lang") or request.cookies.get("lang") or current_app.config["DEFAULT_LANGUAGE"]
        g.lang = chosen if chosen in LANGUAGES else "zh"
    return g.lang


def translate(key: str, **values: object) -> str:
    """The UI text for ``key`` in this request's language (the key itself if unknown, so gaps show).

    ``values`` fill the text's ``{placeholders}``.
    """
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[LANGUAGES.index(language())]
    return text.format(**values) if values else text


def in_page_language(text: object) -> bool:
    """True if ``text`` (a free text from the library, such as a clip's reason) suits this request's page:
    any text on an English page; on a Chinese page only a text written in Chinese (it has CJK characters)."""
    if language() == "en":
        return True
    return any("\u3400" <= char <= "\u9fff" for char in str(text))


def english(key: str, **values: object) -> str:
    """The English text for ``key`` outside any request (command-line messages, exception texts)."""
    pair = MESSAGES.get(key)
    return key if pair is None else pair[1].format(**values)
