// Drag and drop onto the upload box: the dropped file goes into the ordinary file input and the form is sent.
// Without JavaScript the same form works with the file chooser and the button.
document.addEventListener("DOMContentLoaded", function () {
  var zone = document.getElementById("drop");
  var input = document.getElementById("workbook");
  var form = document.getElementById("upload-form");
  if (!zone || !input || !form) return;
  ["dragenter", "dragover"].forEach(function (kind) {
    zone.addEventListener(kind, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (kind) {
    zone.addEventListener(kind, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    if (!e.dataTransfer || !e.dataTransfer.files.length) return;
    input.files = e.dataTransfer.files;
    form.requestSubmit ? form.requestSubmit() : form.submit();
  });
  form.addEventListener("submit", function () {
    var button = document.getElementById("send");
    if (button) { button.disabled = true; button.textContent = "Checking…"; }
  });
});
