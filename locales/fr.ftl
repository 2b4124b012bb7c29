# Les messages de phiscrub en français. Chaque identifiant de en.ftl doit
# figurer ici (un test unitaire le vérifie).

## Erreurs sur une image (le nom du fichier est ajouté devant)

err-not-an-image = ce n'est pas une image (phiscrub lit JPEG, PNG, WebP, TIFF, GIF, HEIC, AVIF et BMP, et les documents pptx, docx, odp et odt, d'après le contenu) ; retirez-le des entrées ou convertissez-le dans l'un de ces formats
err-corrupt = les données de l'image sont abîmées ou tronquées ({ $detail }) ; exportez-la de nouveau depuis l'original
err-too-large = l'image fait { $width }×{ $height } pixels, au-delà de la limite de { $limit } pixels ; réduisez-la d'abord
err-over-memory = décoder l'image demanderait plus de mémoire que phiscrub n'en accorde à sa taille ({ $detail }) ; réduisez-la, ou enregistrez-la de nouveau en JPEG ou PNG 8 bits, d'abord
err-io = impossible de lire le fichier ({ $detail }) ; vérifiez qu'il existe et que vous avez le droit de le lire
err-internal = erreur interne : { $detail }. Rien n'a été écrit ; merci de la signaler avec la commande lancée
refused-unsupported = refusée : phiscrub ne sait pas encore rendre sûr { $what } ; rien n'a été écrit. Convertissez-la en JPEG ou PNG (par exemple en l'exportant depuis votre application photo) et traitez cette copie
refused-multi-frame = refusée : le fichier contient { $frames } images ({ $what }), et chacune peut montrer le patient ; rien n'a été écrit. Ajoutez --first-frame pour n'exporter que la première, nettoyée
refused-residual = refusée : après masquage, la vérification trouve encore { $kinds }{ $places } ; rien n'a été écrit. Masquez ou recadrez cette zone à la main puis relancez, ou baissez --face-threshold (visages) ou --text-threshold (texte) pour que la détection l'attrape
refused-residual-at = { " " }en { $list }
refused-detector = refusée : un détecteur a échoué ({ $detail }), l'image n'a donc pas pu être vérifiée ; rien n'a été écrit. Relancez ; si cela persiste, signalez-le
refused-time-limit = refusée : l'image a pris plus de temps que la limite et a été arrêtée ; rien n'a été écrit. Renvoyez-la avec une limite plus longue, ou réduite
refused-verification = refusée : la sortie n'a pas passé la vérification ({ $detail }) ; rien n'a été écrit. Merci de le signaler avec la commande lancée
residual-nothing = rien d'identifiable
residual-and = { " " }et{ " " }
count-face = { $n } { $n ->
    [one] visage
   *[other] visages
  }
count-text = { $n } { $n ->
    [one] zone de texte
   *[other] zones de texte
  }
count-code = { $n } { $n ->
    [one] code
   *[other] codes
  }
count-wristband = { $n } { $n ->
    [one] bracelet
   *[other] bracelets
  }

## Erreurs sur les fichiers et dossiers

file-not-found = n'existe pas ; vérifiez le chemin
file-permission = permission refusée ; vérifiez que vous avez le droit de le lire
file-io = illisible ({ $detail }) ; vérifiez qu'il existe et que vous avez le droit de le lire
file-no-name = n'a pas de nom de fichier
file-loop = est un lien symbolique qui revient dans un dossier parcouru (une boucle) ; ignoré
file-list-parent = un chemin listé ne peut pas contenir ".." ; listez-le depuis la racine de l'archive
file-special = n'est ni un fichier ni un dossier (un tube, un périphérique ou une socket) ; indiquez une photo ou un dossier de photos
file-collision = sa sortie { $output } est déjà prise par { $first } ; renommez l'un des deux ou traitez-les en deux fois
out-replaces-input = sa sortie { $output } remplacerait l'entrée elle-même ; choisissez un dossier --out hors des entrées
out-exists = sa sortie { $output } existe déjà et n'a pas été écrasée ; supprimez-la, choisissez un autre --out ou ajoutez --force
out-write = sa sortie { $output } n'a pas pu être écrite ({ $detail }) ; vérifiez que le dossier de sortie est accessible en écriture et qu'il reste de la place
out-through-link = sa sortie { $output } serait écrite à travers le lien symbolique { $link }, qui peut mener hors du dossier de sortie ; supprimez le lien ou choisissez un autre dossier de sortie
out-flush = les sorties ont été écrites mais n'ont pas pu être enregistrées sur le disque ({ $detail }) ; vérifiez le disque du dossier de sortie
workers-failed = impossible de démarrer les fils de travail : { $detail }
unlisted = n'a pas pu être listé ; voir les messages de l'exécution
report-exists = le rapport { $path } existe déjà et n'a pas été écrasé ; choisissez un autre nom ou ajoutez --force
report-write = le rapport { $path } n'a pas pu être écrit ({ $detail }) ; vérifiez que le dossier est accessible en écriture
review-exists = la fiche de relecture { $path } existe déjà et n'a pas été écrasée ; choisissez un autre nom ou ajoutez --force
review-write = la fiche de relecture { $path } n'a pas pu être écrite ({ $detail }) ; vérifiez que le dossier est accessible en écriture

## Démarrage

setup-model = impossible de charger le modèle { $model } dans ONNX Runtime : { $detail }. Le modèle intégré est peut-être abîmé : recompilez phiscrub depuis une copie propre
rt-not-found = ONNX Runtime { $version } est introuvable (cherché dans : { $looked }). Solution : relancez `cargo build` avec accès à PyPI, qui le télécharge et le vérifie ; ou copiez { $lib } (de la roue onnxruntime=={ $version }, onnxruntime/capi/) à côté du binaire phiscrub ; ou définissez ORT_DYLIB_PATH=/chemin/vers/{ $lib }.
rt-load = ONNX Runtime dans { $path } n'a pas pu être chargé : { $detail }. Solution : faites pointer ORT_DYLIB_PATH vers un { $lib } qui fonctionne, ou recompilez phiscrub pour qu'il en installe un
rt-device = le réseau { $model } ne peut pas tourner sur { $device } : { $detail }. phiscrub ne se replie jamais seul sur le processeur : lancez sans --device (processeur), ou utilisez une version compilée avec le runtime CUDA (cargo build --features cuda) sur une machine qui a ce GPU et les bibliothèques CUDA 13 et cuDNN 9
rt-start = ONNX Runtime dans { $path } n'a pas démarré : { $detail }
cfg-face-threshold = le seuil des visages doit être supérieur à 0 et au plus 1 (reçu { $value })
cfg-verify-threshold = le seuil de vérification doit être supérieur à 0 et au plus 1 (reçu { $value })
cfg-text-threshold = le seuil du texte doit être supérieur à 0 et au plus 1 (reçu { $value })
cfg-second-face-threshold = le seuil du second détecteur de visages doit être supérieur à 0 et au plus 1 (reçu { $value })
cfg-text-detail = la taille de lecture du texte doit être comprise entre 256 et 16384 pixels (reçu { $value })
cfg-verify-above-face = le seuil de vérification ({ $verify }) ne doit pas dépasser le seuil des visages ({ $face }) : la vérification doit être au moins aussi sensible que la détection
cfg-padding = la marge autour des visages doit être comprise entre 1 et 4 fois la boîte du visage (reçu { $value })
cfg-detect-size = la taille de détection doit être comprise entre 64 et 16384 pixels (reçu { $value })
cfg-min-face = le plus petit visage doit être compris entre 4 et 1024 pixels (reçu { $value })
cfg-tile = la tuile de détection doit être comprise entre 128 et 4096 pixels (reçu { $value })
cfg-quality = la qualité JPEG doit être comprise entre 1 et 100 (reçu { $value })
cfg-threads = il faut au moins 1 fil de calcul par tâche (--threads-per-job)
cfg-pixels = la limite de pixels doit être au moins 1
cfg-memory = la limite de mémoire par image doit être d'au moins 1 octet

## La ligne de commande

cli-about = Rend les photos cliniques sûres à partager : masque visages, texte, codes et bracelets, supprime toutes les métadonnées, refuse ce qu'il ne peut pas rendre sûr.
cli-after-help = Codes de sortie : 0 tout exporté (check : rien ne fuirait) ; 1 démarrage impossible ; 2 erreur d'utilisation ; 3 une image refusée (check : fuirait) ; 4 un fichier en échec.
cli-usage-heading = Utilisation :
cli-options-heading = Options :
cli-arguments-heading = Arguments :
cli-commands-heading = Commandes :
cli-default = [par défaut : { $value }]
cli-possible = [valeurs possibles : { $values }]
cli-usage-error = la ligne de commande n'est pas correcte ; voir phiscrub --help
jobs-zero = --jobs doit valoir au moins 1
out-nested = le dossier de sortie { $out } est à l'intérieur du dossier d'entrée { $input } ; choisissez un dossier --out en dehors, ou ajoutez --allow-nested
out-create = impossible de créer le dossier de sortie { $path } ({ $detail }) ; vérifiez le chemin et vos droits
no-files = aucun fichier trouvé dans les entrées
map-inside-out = la table des noms { $map } serait dans le dossier de sortie { $out }, destiné à être partagé ; placez-la ailleurs
map-exists = la table des noms { $map } existe déjà ; choisissez un autre nom ou ajoutez --force
map-write = la table des noms { $map } n'a pas pu être écrite : { $detail }
warning-line = attention : { $text }
warning-loud-line = ATTENTION : { $text }
warn-metadata-only = --metadata-only : visages, texte et codes n'ont PAS été recherchés ; les images sont exportées telles quelles
warn-off = { $what } NON masqués à votre demande ; vérifiez à l'œil chaque image exportée
warn-document-text = le TEXTE des diapositives et des pages (titres, notes, tableaux) n'est PAS vérifié ni masqué dans les présentations et documents, seulement leurs images et métadonnées ; relisez chaque diapositive avant de partager
off-faces = visages
off-text = texte (noms, dates, numéros de dossier)
off-codes = codes-barres
list-sep = ,{ " " }
progress-images = images
kind-count = { $n } { $kind ->
    [face] { $n ->
        [one] visage
       *[other] visages
      }
    [text] { $n ->
        [one] texte
       *[other] textes
      }
    [code] { $n ->
        [one] code
       *[other] codes
      }
   *[wristband] { $n ->
        [one] bracelet
       *[other] bracelets
      }
  }
summary-counts = { $total } { $total ->
    [one] image
   *[other] images
  } : { $exported } { $exported ->
    [one] exportée
   *[other] exportées
  }, { $refused } { $refused ->
    [one] refusée
   *[other] refusées
  }, { $failed } en échec
summary-nothing-covered = rien à masquer
summary-covered = masqué : { $list }
summary-scrub = { $counts } ; { $covered } ; sorties dans { $out }
summary-limits = Regardez chaque image exportée avant de la partager : la détection automatique ne voit ni les tatouages, ni les cicatrices caractéristiques, ni les maladies rares, ni un décor reconnaissable, qui peuvent encore permettre d'identifier une personne.
summary-review = fiche de relecture : { $path }
check-failed = n'a pas pu être vérifiée : { $detail }
check-refused = FUIRAIT : le nettoyage la refuserait : { $detail }
check-clean = propre : aucun visage, texte, code ni métadonnée identifiante trouvé
check-shows = montre { $list }
check-metadata = métadonnées : { $list }
check-leak = FUIRAIT : { $parts }
check-summary = { $total } { $total ->
    [one] image vérifiée
   *[other] images vérifiées
  } : { $leaking } fuirai{ $leaking ->
    [one] t
   *[other] ent
  }, { $clean } { $clean ->
    [one] propre
   *[other] propres
  }, { $failed } illisible{ $failed ->
    [one] {""}
   *[other] s
  }
inspect-pictures = { $container } { $size }, { $frames } image(s)
inspect-size-unknown = taille inconnue
inspect-icc = , profil ICC (conservé par défaut)
inspect-orientation = , orientation { $value }
inspect-none = aucune métadonnée identifiante trouvée
inspect-note = remarque : { $note }
inspect-summary = { $total } fichier(s) inspecté(s) : { $hazards } portent des métadonnées identifiantes, { $failed } illisible(s)
doctor-runtime = ONNX Runtime { $version } :
doctor-found = trouvé
doctor-absent = absent
doctor-loaded = chargé { $path }
doctor-not-loaded = non chargé : { $detail }
doctor-models = Modèles intégrés :
doctor-ok = ok
doctor-damaged = ABÎMÉ

## La fiche de relecture (HTML)

review-title = Fiche de relecture phiscrub
review-intro = Ce que phiscrub a fait de chaque image. Les vignettes sont faites à partir des fichiers exportés (nettoyés) seulement ; chaque zone masquée est entourée et étiquetée.
review-run = { $total } image(s) : { $exported } exportée(s), { $refused } refusée(s), { $failed } en échec. Dossier de sortie : { $out }.
review-exported = Exportées
review-not-exported = Refusées ou en échec : rien n'a été écrit pour celles-ci
review-none = Aucune.
review-col-file = Fichier
review-col-status = État
review-col-reason = Pourquoi
review-col-found = Masqué
review-status-refused = refusée
review-status-failed = en échec
review-nothing-covered = rien à masquer
review-metadata = métadonnées supprimées : { $list }
review-no-metadata = aucune métadonnée identifiante
review-thumb-missing = le fichier exporté n'a pas pu être relu pour en faire une vignette ({ $detail })
review-label-face = visage
review-label-text = texte
review-label-code = code
review-label-wristband = bracelet
review-warning = Attention : { $text }

## L'aide de la ligne de commande (l'anglais est dans les commentaires du
## code ; ces clés n'existent qu'ici)

about-scrub = Nettoie des photos (JPEG, PNG, WebP, TIFF, GIF, HEIC, AVIF, BMP) et des présentations ou documents (pptx, docx, odp, odt ; fichiers ou dossiers, récursivement) vers un dossier de sortie.
about-check = Dit quelles images laisseraient identifier quelqu'un (visages, texte, codes, bracelets, métadonnées) telles qu'elles sont ; n'écrit rien. Code de sortie 3 si l'une d'elles fuirait.
about-inspect = Montre les métadonnées identifiantes que portent des fichiers (lecture seule ; ne modifie rien).
about-doctor = Montre d'où ONNX Runtime est chargé et vérifie les modèles intégrés.
about-eval = Mesure la détection sur des images annotées (n'écrit rien).
about-eval-faces = Rappel, précision et surface de fausses alarmes des visages d'après un fichier de vérité JSON lines (une ligne par image : file, boxes [[x, y, w, h], …], ignore).
about-eval-bands = Bracelets synthétiques (faux noms, dates, numéros de dossier, Code 128 et DataMatrix) courbés sur des photos : part des bracelets dont l'encre est couverte.
about-eval-screens = Écrans de moniteur synthétiques en perspective, avec reflets et moiré : part des lignes de texte couvertes.
about-help = Affiche ce message ou l'aide de la commande donnée.
help-help = Affiche l'aide.
help-version = Affiche la version.
help-lang = Langue des messages, de l'aide et de la fiche de relecture [par défaut : d'après LC_ALL, LC_MESSAGES ou LANG ; sinon l'anglais].
help-inputs = Fichiers ou dossiers à nettoyer. Les dossiers sont parcourus récursivement ; les fichiers cachés sont ignorés.
help-out = Dossier de sortie. Les sorties gardent leur chemin relatif à chaque dossier d'entrée.
help-scrub-force = Remplace les fichiers de sortie qui existent déjà (jamais les entrées), ainsi que le rapport et la fiche de relecture.
help-check-force = Remplace le fichier de rapport s'il existe.
help-follow = Suit les liens symboliques vers des dossiers et fichiers à l'intérieur des dossiers donnés (un fichier atteint deux fois n'est traité qu'une fois).
help-allow-nested = Autorise le dossier de sortie à l'intérieur d'un dossier d'entrée (son contenu n'est jamais relu comme entrée).
help-jobs = Images traitées en même temps [par défaut : nombre de cœurs].
help-quality = Qualité JPEG des sorties JPEG réencodées (1–100).
help-format = Format de sortie ; par défaut chaque sortie garde le format de son entrée. La sortie WebP est sans perte.
help-strip-icc = N'écrit aucun profil de couleur : les pixels Display P3 sont convertis en sRGB (par défaut ils gardent le profil Display P3 de phiscrub).
help-reencode = Réencode toujours les pixels, même quand rien n'est à masquer et que les données d'image d'origine pourraient être gardées telles quelles.
help-first-frame = Pour les fichiers qui contiennent plusieurs images (animations, pages, MPF ou images ajoutées), exporte la première, nettoyée, au lieu de refuser le fichier.
help-metadata-only = Supprime seulement les métadonnées : ne cherche PAS les visages. Seulement pour des images vérifiées à l'œil.
help-scrub-quiet = N'affiche que le résumé et les erreurs.
help-check-quiet = N'affiche que les images qui fuiraient et le résumé.
help-report = Écrit un rapport d'audit (JSON, schéma dans le README) dans ce fichier.
help-review = Écrit une fiche de relecture dans ce fichier : une page HTML avec les vignettes des images exportées, les zones masquées entourées, et les fichiers refusés ou en échec avec leur raison.
help-rename = Nomme les sorties image-0001.jpg, image-0002.png, … (à plat dans --out) et écrit de quelle entrée vient chacune dans MAP (CSV), gardé hors de --out : quand les noms de fichiers ou de dossiers portent des noms de patients.
help-files-from = Nettoie aussi les fichiers listés dans FILE, un chemin par ligne (`-` : entrée standard). Chaque sortie garde le chemin listé, sous --out.
help-skip-existing = Tient un journal à côté du rapport (FICHIER.json.journal) et saute chaque fichier qu'une tentative précédente y a noté et dont la sortie est restée celle qu'elle a écrite : un traitement arrêté en cours ne refait que ce qui manque. À passer à chaque tentative, la première comprise.
help-shard = Ne nettoie que la part K sur N (K à partir de 1), répartie selon une empreinte de chaque chemin, pour les tableaux de tâches ; `auto` prend K et N dans les variables SLURM_ARRAY_TASK_* de Slurm, `auto/N` prend K dans Slurm ou dans JOB_COMPLETION_INDEX de Kubernetes.
about-report = Travaille sur les rapports d'audit : `report merge` réunit les rapports d'un traitement réparti en parts.
about-report-merge = Réunit les rapports JSON de toutes les parts d'un traitement en un rapport du traitement entier, en vérifiant qu'aucune part ne manque ni n'est donnée deux fois et qu'aucun fichier n'est dans deux parts. Code de sortie comme celui de `scrub` pour le traitement entier.
help-report-merge-reports = Les rapports des parts (`scrub --shard K/N --report FICHIER.json`).
help-report-merge-out = Où écrire le rapport réuni.
help-report-merge-force = Remplace le rapport réuni s'il existe.
help-check-paths = Fichiers ou dossiers à vérifier. Les dossiers sont parcourus récursivement.
help-inspect-paths = Fichiers ou dossiers à inspecter. Les dossiers sont parcourus récursivement.
help-json = Affiche le résultat en JSON.
help-face-threshold = Score au-dessus duquel un visage est masqué (0–1]. Plus bas en trouve davantage.
help-verify-threshold = Score au-dessus duquel tout ce qui ressemble encore à un visage après masquage fait refuser l'image ; plus bas est plus strict [par défaut : 0,95 × --face-threshold].
help-threads-per-job = Fils ONNX Runtime par tâche (--jobs tâches traitent chacune une image) [par défaut : 1 ; avec moins d'images que de cœurs et sans --jobs, les cœurs sont partagés entre les images].
help-device = Où tournent les réseaux : cpu, ou cuda[:N] (une version compilée avec --features cuda, sur une machine à GPU). phiscrub ne se replie jamais seul sur le processeur : si le GPU ne peut pas faire tourner tous les réseaux, rien n'est nettoyé.
help-min-face = Plus petit visage cherché, en pixels (côté le plus long). Les grandes photos ont une passe plus fine, par tuiles, jusqu'à cette taille ; plus petit est plus lent.
help-face-padding = Taille de chaque boîte remplie, en multiple de la boîte du visage détecté : un facteur, ou LARGEURxHAUTEUR (par ex. 1.5x1.7) [par défaut : 1.4].
help-face-shape = Remplit la boîte entière, ou l'ellipse qui y est inscrite [par défaut : box].
help-text-threshold = Probabilité moyenne de texte au-dessus de laquelle une zone est masquée (0–1] ; du texte encore visible au-dessus après masquage fait refuser l'image. Plus bas en trouve davantage.
help-text-detail = Les grandes photos sont lues pour le texte à au plus ce nombre de pixels de large (côté le plus long), par tuiles ; plus trouve du texte plus petit, plus lentement.
help-no-text = Ne masque PAS le texte (noms, dates, numéros de dossier restent lisibles). Seulement pour des images dont vous avez vérifié le texte à l'œil ; l'exécution vous avertit.
help-no-codes = Ne cherche pas les codes-barres ni les codes 2D.
help-no-second-face = Interroge CenterFace seul, sans le second détecteur de visages (BlazeFace). Pour mesurer ce que le second apporte ; jamais pour partager.
help-images = Dossier contenant les images nommées dans le fichier de vérité.
help-truth = Le fichier de vérité (JSON lines).
help-count = Nombre de scènes.
help-seed = Graine des scènes : la même graine donne les mêmes images.
help-backgrounds = Dossier de photos sur lesquelles composer (JPEG/PNG) ; des dégradés simples sinon.
help-size = Taille des scènes, LARGEURxHAUTEUR.
help-save = Écrit aussi chaque scène et sa sortie nettoyée dans ce dossier.

## phiscrub serve (les réponses HTTP elles-mêmes restent en anglais : elles
## s'adressent à des programmes)

serve-listening = phiscrub serve : à l'écoute sur http://{ $addr }
serve-token-empty = le fichier de jeton { $path } est vide ; mettez le jeton sur sa première ligne
serve-token-read = le fichier de jeton { $path } est illisible ({ $detail }) ; vérifiez le chemin et vos droits
serve-needs-token = --bind { $bind } accepterait des requêtes du réseau sans jeton ; ajoutez --token-file, ou écoutez sur 127.0.0.1
serve-limits = --max-body-mb, --timeout, --body-timeout et --max-connections doivent valoir au moins 1
serve-failed = impossible de servir sur { $bind } ({ $detail }) ; un autre programme utilise-t-il ce port ?
about-serve = Nettoie par HTTP pour d'autres programmes : POST /v1/scrub et /v1/check, GET /healthz, /metrics, /openapi.json. Boucle locale seulement par défaut ; les images restent en mémoire et ne sont jamais journalisées.
help-bind = Adresse et port d'écoute. Toute adresse autre que la boucle locale exige --token-file.
help-token-file = Fichier contenant le jeton que les clients doivent envoyer (Authorization: Bearer …) à /v1/* et /metrics.
help-max-body-mb = Taille maximale d'une requête, en mégaoctets (413 au-delà).
help-concurrency = Images nettoyées en même temps ; les requêtes en plus reçoivent 503 avec Retry-After [par défaut : nombre de cœurs].
help-timeout = Durée maximale d'une requête, en secondes.
help-body-timeout = Durée maximale pour recevoir le corps entier d'une requête, en secondes (aucun emplacement de traitement n'est réservé pendant ce temps).
help-max-connections = Connexions ouvertes à la fois ; les suivantes sont fermées dès leur arrivée.
about-eval-text = Texte réel : part des zones annotées dont la sortie nettoyée efface les contours des lettres (règle de textcover.py), par type et hauteur de texte, et surface modifiée hors du texte. Vérité : JSON lines {"{"}"file", "polys": [[[x, y], …]], "ignore", "kind"{"}"}.
