// The live sketch controls over the canvas (tldraw's InFrontOfTheCanvas layer), following their frames
// as the camera moves: prompt, suggestions, strength and "Variations" under each sketch frame; the
// job's status over each result frame; "Keep" on a result image.
import { useEffect, useMemo, useState } from 'react';
import { useEditor, useValue, type Editor, type TLImageShape, type TLShapeId } from 'tldraw';
import {
	GUEST_IMAGES_PER_DAY,
	GUEST_NOT_CONFIGURED_MESSAGE,
	IMAGES_NOT_CONFIGURED_MESSAGE,
	MAX_PROMPT_LENGTH,
	MAX_VARIATIONS,
	PROMPT_SUGGESTIONS,
	type ImageJobView
} from '../live-sketch.ts';
import { debounce } from './debounce.ts';
import type { ImageRequestProblem } from './image-api.ts';
import { describeJob } from './job-status.ts';
import { useLiveSketchUi, type LiveSketchUi } from './live-sketch-ui.ts';
import {
	frameHasContent,
	keepResultImage,
	resultFramesOnPage,
	sketchFramesOnPage,
	updateSketchFrame,
	type ResultFrameView,
	type SketchFrameView
} from './sketch-frames.ts';
import './sketch-overlay.css';

/** How long prompt and strength edits wait before they go into the frame's meta (and to collaborators). */
export const META_EDIT_DEBOUNCE_MS = 300;

export function LiveSketchOverlay() {
	const editor = useEditor();
	const ui = useLiveSketchUi();
	// Compared as text, so drawing elsewhere on the page (a new record on every pointer move) does not re-render the controls.
	const sketchesJson = useValue('live sketch frames', () => JSON.stringify(sketchFramesOnPage(editor)), [editor]);
	const resultsJson = useValue('live sketch results', () => JSON.stringify(resultFramesOnPage(editor)), [editor]);
	const sketches = useMemo(() => JSON.parse(sketchesJson) as SketchFrameView[], [sketchesJson]);
	const results = useMemo(() => JSON.parse(resultsJson) as ResultFrameView[], [resultsJson]);
	if (!ui) return null;
	return (
		<>
			{sketches.map((frame) => (
				<SketchControls key={frame.id} frame={frame} ui={ui} />
			))}
			{results.map((frame) => (
				<ResultStatus key={frame.id} frame={frame} ui={ui} />
			))}
			{ui.mode === 'canvas' && <KeepButtons results={results} />}
		</>
	);
}

interface ViewportBox {
	left: number;
	top: number;
	width: number;
	height: number;
	/** The editor's own width, to keep panels on screen. */
	viewportWidth: number;
}

/** The shape's bounds in the editor's viewport (container) coordinates, as the camera moves. */
function useViewportBox(editor: Editor, id: TLShapeId): ViewportBox | null {
	return useValue(
		'viewport box',
		() => {
			const bounds = editor.getShapePageBounds(id);
			if (!bounds) return null;
			const topLeft = editor.pageToViewport({ x: bounds.minX, y: bounds.minY });
			const bottomRight = editor.pageToViewport({ x: bounds.maxX, y: bounds.maxY });
			return {
				left: topLeft.x,
				top: topLeft.y,
				width: bottomRight.x - topLeft.x,
				height: bottomRight.y - topLeft.y,
				viewportWidth: editor.getViewportScreenBounds().w
			};
		},
		[editor, id]
	);
}

const CONTROLS_MIN_WIDTH = 300;
const SCREEN_MARGIN = 8;

function SketchControls({ frame, ui }: { frame: SketchFrameView; ui: LiveSketchUi }) {
	const editor = useEditor();
	const box = useViewportBox(editor, frame.id);
	const readOnly = useValue('read-only', () => editor.getIsReadonly(), [editor]);
	const hasContent = useValue('sketch has content', () => frameHasContent(editor, frame.id), [editor, frame.id]);
	const notice = useValue('sketch notice', () => ui.session.notices.get()[frame.id], [ui, frame.id]);
	const configured = useValue('images configured', () => ui.imagesConfigured.get(), [ui]);
	const [prompt, setPrompt] = useState(frame.meta.prompt);
	const [strength, setStrength] = useState(frame.meta.strength);
	const [editing, setEditing] = useState(false);
	const save = useMemo(
		() => debounce((patch: { prompt?: string; strength?: number }) => updateSketchFrame(editor, frame.id, patch), META_EDIT_DEBOUNCE_MS),
		[editor, frame.id]
	);
	useEffect(() => () => save.flush(), [save]);
	// Collaborators' edits show, except while this person is typing.
	useEffect(() => {
		if (!editing) setPrompt(frame.meta.prompt);
	}, [frame.meta.prompt, editing]);
	useEffect(() => {
		if (!editing) setStrength(frame.meta.strength);
	}, [frame.meta.strength, editing]);
	if (!box) return null;

	const width = Math.min(Math.max(box.width, CONTROLS_MIN_WIDTH), box.viewportWidth - 2 * SCREEN_MARGIN);
	// Centred under the frame, but never off screen.
	const left = Math.min(Math.max(box.left + (box.width - width) / 2, SCREEN_MARGIN), box.viewportWidth - width - SCREEN_MARGIN);
	const style = { left, top: box.top + box.height + 10, width };
	if (readOnly) {
		return (
			<div className="easel-sketch-controls easel-sketch-controls--read-only" style={style} data-testid="sketch-controls">
				<p className="easel-sketch-controls__prompt-text">{frame.meta.prompt || <span className="easel-sketch-muted">No prompt yet</span>}</p>
			</div>
		);
	}
	const choosePrompt = (next: string) => {
		setPrompt(next);
		save({ prompt: next });
		save.flush();
	};
	const problem = notice?.kind === 'problem' ? notice.problem : null;
	return (
		<div
			className="easel-sketch-controls"
			style={style}
			data-testid="sketch-controls"
			onPointerDown={(event) => event.stopPropagation()}
			onWheel={(event) => event.stopPropagation()}
		>
			<label className="easel-sketch-controls__label" htmlFor={`prompt-${frame.id}`}>
				What should this become?
			</label>
			<textarea
				id={`prompt-${frame.id}`}
				className="easel-sketch-controls__prompt"
				data-testid="sketch-prompt"
				rows={2}
				maxLength={MAX_PROMPT_LENGTH}
				placeholder="e.g. a cosy cabin in a snowy forest"
				value={prompt}
				onFocus={() => setEditing(true)}
				onBlur={() => {
					setEditing(false);
					save.flush();
				}}
				onChange={(event) => {
					setPrompt(event.target.value);
					save({ prompt: event.target.value });
				}}
			/>
			<ul className="easel-sketch-controls__suggestions" aria-label="Prompt suggestions">
				{PROMPT_SUGGESTIONS.map((suggestion) => (
					<li key={suggestion.label}>
						<button type="button" className="easel-sketch-chip" title={suggestion.prompt} onClick={() => choosePrompt(suggestion.prompt)}>
							{suggestion.label}
						</button>
					</li>
				))}
			</ul>
			<div className="easel-sketch-controls__row">
				<label className="easel-sketch-controls__strength">
					<span>Strength {Math.round(strength * 100)} %</span>
					<input
						type="range"
						min={0}
						max={1}
						step={0.05}
						value={strength}
						aria-label="Strength: how far the image may depart from the sketch"
						onPointerDown={() => setEditing(true)}
						onPointerUp={() => setEditing(false)}
						onChange={(event) => {
							const next = Number(event.target.value);
							setStrength(next);
							save({ strength: next });
						}}
					/>
				</label>
				<button
					type="button"
					className="easel-sketch-button"
					data-testid="sketch-variations"
					disabled={!prompt.trim() || configured === false}
					onClick={() => {
						save.flush();
						void ui.session.submitNow(frame.id, MAX_VARIATIONS);
					}}
				>
					Variations ({MAX_VARIATIONS})
				</button>
			</div>
			<p className="easel-sketch-controls__note">{ui.session.transport.costNote}</p>
			<SketchNotice
				ui={ui}
				configured={configured}
				needsPrompt={hasContent && !prompt.trim()}
				nothingDrawn={notice?.kind === 'nothingDrawn' && !hasContent}
				sending={notice?.kind === 'sending'}
				problem={problem}
			/>
		</div>
	);
}

function SketchNotice({
	ui,
	configured,
	needsPrompt,
	nothingDrawn,
	sending,
	problem
}: {
	ui: LiveSketchUi;
	configured: boolean | null;
	needsPrompt: boolean;
	nothingDrawn: boolean;
	sending: boolean;
	problem: ImageRequestProblem | null;
}) {
	if (configured === false || problem?.kind === 'notConfigured') {
		return (
			<p className="easel-sketch-notice easel-sketch-notice--error" role="alert" data-testid="sketch-not-configured">
				{/* A guest can do nothing about the server's settings: they hear that it is off here, not how to turn it on. */}
				{ui.mode === 'canvas' ? IMAGES_NOT_CONFIGURED_MESSAGE : GUEST_NOT_CONFIGURED_MESSAGE}
			</p>
		);
	}
	if (problem?.kind === 'guestLimit') return <GuestLimit />;
	if (problem) {
		return (
			<p className="easel-sketch-notice easel-sketch-notice--error" role="alert" data-testid="sketch-problem">
				{problem.message}
				{problem.kind === 'limit' && ui.billingHref && (
					<>
						{' '}
						<a href={ui.billingHref}>See plans and credits</a>
					</>
				)}
			</p>
		);
	}
	if (needsPrompt)
		return (
			<p className="easel-sketch-notice" data-testid="sketch-needs-prompt">
				Type what this should become
			</p>
		);
	if (nothingDrawn) return <p className="easel-sketch-notice">Draw something in the sketch frame first</p>;
	if (sending) return <p className="easel-sketch-notice easel-sketch-muted">Sending the sketch…</p>;
	return null;
}

export function GuestLimit() {
	return (
		<div className="easel-sketch-notice easel-sketch-upgrade" role="alert" data-testid="sketch-guest-limit">
			<p>You've made {GUEST_IMAGES_PER_DAY} images today — sign up free to keep sketching</p>
			<p>
				<a className="easel-sketch-button easel-sketch-button--primary" href="/signup?next=/sketch">
					Sign up free
				</a>{' '}
				<a href="/login?next=/sketch">Sign in</a>
			</p>
		</div>
	);
}

function ResultStatus({ frame, ui }: { frame: ResultFrameView; ui: LiveSketchUi }) {
	const editor = useEditor();
	const box = useViewportBox(editor, frame.id);
	const readOnly = useValue('read-only', () => editor.getIsReadonly(), [editor]);
	const job = frame.meta.job ?? null;
	const [view, setView] = useState<ImageJobView | null>(null);
	const polling = job && (job.state === 'queued' || job.state === 'generating') ? job.id : null;
	useEffect(() => {
		setView(null);
		if (!polling) return;
		return ui.poller.watch(polling, setView);
	}, [ui, polling]);
	if (!box) return null;
	const status = describeJob(job, view && view.id === job?.id ? view : null, frame.images.length > 0);
	if (status.kind === 'none') return null;
	const width = Math.max(Math.min(box.width - 24, 340), 120);
	const style = { left: box.left + (box.width - width) / 2, top: box.top + box.height / 2, width };
	return (
		<div className={`easel-sketch-status easel-sketch-status--${status.kind}`} style={style} data-testid="sketch-status" data-state={status.kind}>
			<p role="status" aria-live="polite">
				{status.text}
			</p>
			{status.kind === 'generating' && (
				<div
					className={`easel-sketch-progress${status.progress === null ? ' easel-sketch-progress--indeterminate' : ''}`}
					role="progressbar"
					aria-valuemin={0}
					aria-valuemax={100}
					aria-valuenow={status.progress === null ? undefined : Math.round(status.progress * 100)}
				>
					<div style={status.progress === null ? undefined : { width: `${Math.round(status.progress * 100)}%` }} />
				</div>
			)}
			{status.kind === 'failed' && !readOnly && (
				<button
					type="button"
					className="easel-sketch-button"
					onPointerDown={(event) => event.stopPropagation()}
					onClick={() => void ui.session.submitNow(frame.meta.sketchFrameId as TLShapeId, job?.variations ?? 1)}
				>
					Try again
				</button>
			)}
		</div>
	);
}

/** "Keep" on each result image that is selected or under the pointer (editors only). */
function KeepButtons({ results }: { results: ResultFrameView[] }) {
	const editor = useEditor();
	const readOnly = useValue('read-only', () => editor.getIsReadonly(), [editor]);
	const focused = useValue(
		'focused result images',
		() => {
			const ids = new Set<string>(editor.getSelectedShapeIds());
			const hovered = editor.getHoveredShapeId();
			if (hovered) ids.add(hovered);
			return [...ids].sort().join(' ');
		},
		[editor]
	);
	if (readOnly) return null;
	const wanted = new Set(focused.split(' '));
	const images = results.flatMap((frame) => frame.images).filter((image) => wanted.has(image.id));
	return (
		<>
			{images.map((image) => (
				<KeepButton key={image.id} image={image} />
			))}
		</>
	);
}

function KeepButton({ image }: { image: TLImageShape }) {
	const editor = useEditor();
	const box = useViewportBox(editor, image.id);
	if (!box) return null;
	return (
		<button
			type="button"
			className="easel-sketch-button easel-sketch-keep"
			data-testid="sketch-keep"
			style={{ left: box.left + box.width - 8, top: box.top + 8 }}
			title="Copy this image onto the canvas"
			onPointerDown={(event) => event.stopPropagation()}
			onClick={() => keepResultImage(editor, image.id)}
		>
			Keep
		</button>
	);
}
